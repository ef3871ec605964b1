"""The README runs as written: every fenced Python block is executed, as a reader would use it.

* A block that defines tests (`def test_...`) is a user's test file: pytest runs it in a subprocess, with the
  plugin the installed package registers, and every test in it must pass.
* A block preceded by `<!-- readme: inside a mock -->` is a fragment of a test: it runs inside a started mock
  where `mi` (the handle), `client` (a medical-imaging client in us-east-1) and `datastore_id` (an ACTIVE
  datastore) exist, as the text around it says.
* Any other block runs as it is, in a fresh namespace.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from medimaging_mock import mock_medical_imaging

README = Path(__file__).resolve().parent.parent / "README.md"
INSIDE_A_MOCK = "<!-- readme: inside a mock -->"
_BLOCK = re.compile(r"(?P<marker><!--[^\n]*-->\n)?```python\n(?P<code>.*?)```", re.DOTALL)


def _blocks() -> list[tuple[int, str | None, str]]:
    """(line, marker, code) of every Python block."""
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, found.start("code")) + 1, (found["marker"] or "").strip() or None, found["code"])
        for found in _BLOCK.finditer(text)
    ]


BLOCKS = _blocks()


def test_the_readme_has_python_blocks_of_each_kind() -> None:
    """Guards the harness itself: a change to the README's markup must not silently skip every block."""
    kinds = {_kind(marker, code) for _, marker, code in BLOCKS}
    assert kinds == {"tests", "fragment", "script"}
    assert all(marker in (None, INSIDE_A_MOCK) for _, marker, _ in BLOCKS), "an unknown readme marker"


def _kind(marker: str | None, code: str) -> str:
    if re.search(r"^(async )?def test_", code, re.MULTILINE):
        return "tests"
    return "fragment" if marker == INSIDE_A_MOCK else "script"


@pytest.mark.parametrize(("line", "marker", "code"), BLOCKS, ids=[f"README.md:{line}" for line, *_ in BLOCKS])
def test_readme_block_runs(line: int, marker: str | None, code: str, tmp_path: Path) -> None:
    kind = _kind(marker, code)
    if kind == "tests":
        test_file = tmp_path / f"test_readme_line_{line}.py"
        test_file.write_text(code, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout
        return
    namespace: dict[str, object] = {"__name__": f"readme_line_{line}"}
    compiled = compile(code, f"README.md:{line}", "exec")
    if kind == "script":
        exec(compiled, namespace)
        return
    with mock_medical_imaging() as mi:
        client = boto3.client("medical-imaging", region_name="us-east-1")
        datastore_id = client.create_datastore(datastoreName="readme")["datastoreId"]
        assert (
            client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]["datastoreStatus"]
            == "ACTIVE"
        )
        namespace.update(mi=mi, client=client, datastore_id=datastore_id, boto3=boto3)
        exec(compiled, namespace)
