"""The botocore service model of `medical-imaging`: the single source of shapes, routes and error codes."""

from __future__ import annotations

import functools

from botocore.loaders import Loader
from botocore.model import ServiceModel

SERVICE_NAME = "medical-imaging"


@functools.cache
def service_model() -> ServiceModel:
    """Load the model shipped with the installed botocore, once per process."""
    loader = Loader()
    return ServiceModel(loader.load_service_model(SERVICE_NAME, "service-2"), SERVICE_NAME)


@functools.cache
def error_statuses() -> dict[str, int]:
    """HTTP status of every modelled error, e.g. ServiceQuotaExceededException -> 402."""
    return {shape.name: shape.metadata["error"]["httpStatusCode"] for shape in service_model().error_shapes}
