"""What the installed botocore can send, read from its model and its serializer rather than its version.

Tests of a feature an older botocore lacks are skipped there with these marks; the mock still answers such a
client without it (tests/test_model_versions.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.serialize import create_serializer

from medimaging_mock.wire.model import service_model


def _sends_milliseconds() -> bool:
    """botocore before 1.43.93 sends rest-json timestamps in whole seconds, whatever the datetime holds."""
    at = datetime(2024, 1, 1, 0, 0, 0, 1000, tzinfo=UTC)
    criteria = {"filters": [{"operator": "EQUAL", "values": [{"createdAt": at}]}]}
    operation = service_model().operation_model("SearchImageSets")
    request = create_serializer("rest-json", include_validation=False).serialize_to_request(
        {"datastoreId": "a" * 32, "searchCriteria": criteria}, operation
    )
    return b".001" in request["body"]


needs_import_configuration = pytest.mark.skipif(
    "importConfiguration" not in service_model().shape_for("StartDICOMImportJobRequest").members,
    reason="this botocore's model has no StartDICOMImportJob importConfiguration, so no client can send it",
)
needs_millisecond_timestamps = pytest.mark.skipif(
    not _sends_milliseconds(),
    reason="this botocore sends request timestamps in whole seconds, so no client can name a millisecond",
)
