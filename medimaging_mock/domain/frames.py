"""The pixels of every frame a datastore holds, by frame id, shared by every version that names it;
each frame is encoded in its stored transfer syntax the first time a client asks for it, then cached."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from medimaging_mock.domain import pixels


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

    def encoded(self, frame_id: str) -> tuple[bytes, str]:
        """The frame's bytes and content type; encoded at most once."""
        frame = self._frames[frame_id]
        if frame.encoded is None:
            frame.encoded = frame.original or pixels.encode(frame.pixels, frame.stored_transfer_syntax)
        return frame.encoded, pixels.content_type(frame.stored_transfer_syntax)
