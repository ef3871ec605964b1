"""An example conftest.py for a project that talks to HealthImaging: copy what you need.

The plugin already gives `medical_imaging` (the handle) and `medical_imaging_client`; these fixtures build
on them the way a DICOM pipeline's test suite usually does.
"""

from __future__ import annotations

import pytest
from pydicom.data import get_testdata_file


@pytest.fixture
def datastore_id(medical_imaging_client):
    """An ACTIVE datastore (the default transitions complete its creation before the next call)."""
    return medical_imaging_client.create_datastore(datastoreName="tests")["datastoreId"]


@pytest.fixture
def ct_image_set_id(medical_imaging, datastore_id):
    """One image set seeded from a CT instance that ships with pydicom."""
    return medical_imaging.create_image_set(datastore_id, [get_testdata_file("CT_small.dcm")])
