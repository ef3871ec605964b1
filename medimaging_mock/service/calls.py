"""The entry to the service layer: injected faults, due work settled, then the operation itself.

Importing this module loads every operation (and with them the domain, pydicom and numpy), so the wire
layer imports it on the first request, not at package import."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medimaging_mock.domain.errors import OperationNotImplemented
from medimaging_mock.service import (  # noqa: F401  (importing them registers their operations)
    datastores,
    dicomweb_retrieve,
    dicomweb_search,
    dicomweb_store,
    frames,
    image_sets,
    imports,
    revisions,
    search,
    tagging,
)
from medimaging_mock.service.faults import faults
from medimaging_mock.service.registry import OPERATIONS

if TYPE_CHECKING:
    from medimaging_mock.domain.backend import ImagingBackend

__all__ = ["OPERATIONS", "call"]


def call(backend: ImagingBackend, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    faults.apply(operation)
    backend.settle()
    function = OPERATIONS.get(operation)
    if function is None:
        raise OperationNotImplemented(f"medimaging_mock does not implement {operation} yet")
    return function(backend, **params)
