"""Pixels of every frame a datastore holds, by frame id; shared by every image set version that names it."""

from __future__ import annotations

import threading

import numpy as np


class FrameStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pixels: dict[str, np.ndarray] = {}

    def put(self, frame_id: str, pixels: np.ndarray) -> None:
        with self._lock:
            self._pixels[frame_id] = pixels

    def pixels(self, frame_id: str) -> np.ndarray | None:
        return self._pixels.get(frame_id)
