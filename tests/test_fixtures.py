"""The pytest fixtures: `medical_imaging_client` is fresh in every test (it shares parsed models and the
built-in handlers with earlier clients, never anything a test could see)."""

from __future__ import annotations

pytest_plugins = ["pytester"]

# Run by pytester in one process, in this order, with the plugin loaded from its entry point.
TWO_TESTS_IN_ORDER = '''
import pytest

signed = []


def remember(request, **_):
    signed.append(request.headers)


@pytest.fixture
def environment(request, monkeypatch):
    """Set before the client exists, as a test's own environment is."""
    token, account = request.param
    monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)  # botocore reads it before AWS_SESSION_TOKEN
    monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    return token, account


@pytest.mark.parametrize(
    "environment", [("token-one", "111111111111"), ("token-two", "222222222222")], indirect=True
)
def test_client_of_this_test(environment, medical_imaging, medical_imaging_client):
    token, account = environment
    assert medical_imaging_client.meta.region_name == "us-east-1"
    medical_imaging_client.list_datastores()
    assert signed == []  # the handler the first test registered on its client is not on this one

    medical_imaging_client.meta.events.register_first("before-send.medical-imaging", remember)
    datastore_id = medical_imaging_client.create_datastore(datastoreName="mine")["datastoreId"]
    assert signed.pop()["X-Amz-Security-Token"] == token.encode()
    assert datastore_id in medical_imaging.backend(account_id=account).datastores
    assert medical_imaging.backend(account_id="123456789012").datastores == {}
'''


def test_each_test_gets_a_client_of_its_own(pytester):
    pytester.makepyfile(TWO_TESTS_IN_ORDER)
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
