"""The service layer: one function per operation, typed params in, plain dict out; no HTTP."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.domain.errors import OperationNotImplemented
from medimaging_mock.service import (  # noqa: F401  (importing them registers their operations)
    datastores,
    frames,
    image_sets,
    imports,
    revisions,
    search,
    tagging,
)
from medimaging_mock.service.faults import faults
from medimaging_mock.service.registry import OPERATIONS


def call(backend: ImagingBackend, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    faults.apply(operation)
    backend.settle()
    function = OPERATIONS.get(operation)
    if function is None:
        raise OperationNotImplemented(f"medimaging_mock does not implement {operation} yet")
    return function(backend, **params)
