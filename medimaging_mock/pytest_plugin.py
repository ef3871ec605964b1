"""pytest plugin (entry point `pytest11`): fixtures, and plain `mock_aws` serving medical-imaging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

import pytest

from medimaging_mock import MedicalImagingHandle, mock_medical_imaging
from medimaging_mock.activation.clients import new_client

if TYPE_CHECKING:  # types-boto3, the optional `typing` extra: every operation of the client typed
    from types_boto3_medical_imaging import HealthImagingClient
else:  # never imported at run time; annotations read there name botocore's client class
    from botocore.client import BaseClient as HealthImagingClient


@pytest.fixture
def medical_imaging() -> Iterator[MedicalImagingHandle]:
    """The handle, inside a started mock (moto's mock_aws included)."""
    with mock_medical_imaging() as handle:
        yield handle


@pytest.fixture
def medical_imaging_client(medical_imaging: MedicalImagingHandle) -> HealthImagingClient:
    """A boto3 `medical-imaging` client in us-east-1, inside the same mock: a fresh one per test, built
    without the cost of a new boto3 session (see activation/clients.py)."""
    return cast(HealthImagingClient, new_client("medical-imaging", "us-east-1"))
