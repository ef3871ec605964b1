"""The package's types: what a type checker accepts of the handle, and stubs that stay out of run time."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import textwrap
import typing

import pytest
from botocore.client import BaseClient

from medimaging_mock import pytest_plugin

USES = """\
from medimaging_mock import MedicalImagingHandle


def use(mi: MedicalImagingHandle) -> None:
    mi.transitions = "manual"
    mi.transitions = "immediate"
    mi.transitions = 2.5
    mi.transitions = 3
    mi.frame_container = "jph"
    view = mi.backend()
    image_set = view.datastores["d"].image_sets["i"]
    description: str = image_set.metadata["Study"]["DICOM"]["StudyDescription"]
    first_frame: str = image_set.frame_ids[0]
    mi.transitions = "sometimes"
    mi.frame_container = "png"
    view.region = "eu-west-1"
    view.datastores["d"].tags["team"] = "x"
"""


def test_a_type_checker_accepts_the_handles_modes_and_refuses_changes_to_a_view(tmp_path):
    # The `typing` extra and mypy; CI installs both, so there a missing one fails instead of skipping.
    needed = importlib.import_module if os.environ.get("CI") else pytest.importorskip
    api = needed("mypy.api")
    needed("types_boto3_medical_imaging")
    (tmp_path / "uses.py").write_text(USES)

    stdout, _, _ = api.run(["--strict", "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "uses.py")])

    assert re.findall(r"uses\.py:(\d+): error", stdout) == ["14", "15", "16", "17"], stdout


def test_the_stubs_stay_out_of_run_time():
    """types-boto3 is an optional extra: importing and running the package never needs it."""
    program = textwrap.dedent(
        """
        import sys
        import boto3
        import medimaging_mock.demo, medimaging_mock.pytest_plugin
        from medimaging_mock import mock_medical_imaging

        with mock_medical_imaging() as mi:
            boto3.client("medical-imaging", region_name="us-east-1").create_datastore(datastoreName="d")
            mi.backend()
        print(sorted(name for name in sys.modules if name.startswith(("types_boto3", "mypy_boto3"))))
        """
    )
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "[]"


def test_the_client_fixtures_annotation_names_botocores_client_at_run_time():
    hints = typing.get_type_hints(pytest_plugin.medical_imaging_client.__wrapped__)

    assert hints["return"] is BaseClient
