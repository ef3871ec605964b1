"""Shared by every test module: a fake AWS environment, so nothing real is ever used."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's documented pattern: a default region and fake credentials; no account or endpoint overrides."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    for variable in (
        "MOTO_ACCOUNT_ID",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_MEDICAL_IMAGING",
    ):
        monkeypatch.delenv(variable, raising=False)
