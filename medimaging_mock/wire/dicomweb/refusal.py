"""Refusals of the DICOMweb transport itself (authentication, method, media type), which no operation of
the service raises: the HTTP status and `x-amzn-ErrorType` code travel with the message."""

from __future__ import annotations


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
