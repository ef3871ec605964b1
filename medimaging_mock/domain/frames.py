"""The pixels of every frame a datastore holds, by frame id, shared by every version that names it;
each frame is encoded in its stored transfer syntax the first time a client asks for it, then cached.
HTJ2K frames leave as a raw codestream or, with the container setting, as a JPH file."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from medimaging_mock.domain import jph, pixels

if TYPE_CHECKING:
    import numpy as np

Container = Literal["codestream", "jph"]
CODESTREAM: Container = "codestream"
JPH: Container = "jph"


class ContainerSetting:
    """How GetImageFrame returns HTJ2K frames (`image/jph`): the raw codestream or a JPH file.
    Process-wide like the mock; back to `default` at every outermost start (server mode changes the default).
    """

    def __init__(self) -> None:
        self.default: Container = CODESTREAM
        self.value: Container = CODESTREAM

    @staticmethod
    def checked(value: str) -> Container:
        if value not in (CODESTREAM, JPH):
            raise ValueError(f"frame_container must be {CODESTREAM!r} or {JPH!r}, not {value!r}")
        return value

    def reset(self) -> None:
        self.value = self.default


container = ContainerSetting()


@dataclass
class StoredFrame:
    pixels: np.ndarray
    stored_transfer_syntax: str
    original: bytes | None = None  # the frame as sent, for syntaxes stored as sent
    encoded: bytes | None = None


class FrameStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frames: dict[str, StoredFrame] = {}

    def put(self, frame_id: str, frame: StoredFrame) -> None:
        with self._lock:
            self._frames[frame_id] = frame

    def __contains__(self, frame_id: str) -> bool:
        return frame_id in self._frames

    def stored(self, frame_id: str) -> StoredFrame:
        """The frame's pixels and stored syntax (KeyError when it is not held)."""
        return self._frames[frame_id]

    def codestream(self, frame_id: str) -> bytes:
        """The frame in its stored transfer syntax, never boxed (DICOMweb); encoded at most once."""
        frame = self._frames[frame_id]
        if frame.encoded is None:
            frame.encoded = frame.original or pixels.encode(frame.pixels, frame.stored_transfer_syntax)
        return frame.encoded

    def encoded(self, frame_id: str) -> tuple[bytes, str]:
        """The frame's bytes and content type as GetImageFrame answers them (boxed with the JPH setting)."""
        frame = self._frames[frame_id]
        body = self.codestream(frame_id)
        if container.value == JPH and frame.stored_transfer_syntax == pixels.HTJ2K_LOSSLESS_RPCL:
            body = jph.boxed(body)
        return body, pixels.content_type(frame.stored_transfer_syntax)
