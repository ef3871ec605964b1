"""The model's `pattern` constraints: every one matched in time linear in the input, with the meaning the
service's Java regex gives it (ASCII \\d and \\w, `.` stops at line terminators, a leading lookahead)."""

from __future__ import annotations

import itertools
import re
import time

import boto3
import botocore.session
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from model_features import needs_import_configuration

from medimaging_mock import mock_medical_imaging
from medimaging_mock.wire.validation import model_patterns

MODEL = botocore.session.get_session().get_service_model("medical-imaging")
SHAPES = [MODEL.shape_for(name) for name in MODEL.shape_names]
PATTERN_OF = {shape.name: shape.metadata["pattern"] for shape in SHAPES if "pattern" in shape.metadata}
PATTERNS = sorted(set(PATTERN_OF.values()))
NAMES = ["/".join(name for name, pattern in PATTERN_OF.items() if pattern == source) for source in PATTERNS]
LONG = 50_000
HANG_BOUND = 1.0  # seconds; a linear match of these inputs takes milliseconds
JAVA_LINE_TERMINATORS = "\r\x85\u2028\u2029"  # beside \n; Python's `.` matches these, Java's does not


def matches(shape_name: str, text: str) -> bool:
    return model_patterns()[PATTERN_OF[shape_name]].fullmatch(text)


def adversarial(source: str) -> list[str]:
    """Long runs of the characters the pattern names (and a few more), then a newline or a non-ASCII digit."""
    characters = sorted(set(source) | set("aA0 -.:/!~"))
    runs = [c * LONG for c in characters]
    runs += [(a + b) * (LONG // 2) for a, b in itertools.pairwise(characters)]
    return [run + tail for run in runs for tail in ("\n", "\u0661")]


def test_the_model_has_patterns_and_each_is_compiled_at_load():
    assert len(PATTERNS) >= 10  # the enumeration above found them
    assert set(model_patterns()) == set(PATTERNS)


@pytest.mark.parametrize("source", PATTERNS, ids=NAMES)
def test_every_model_pattern_refuses_long_adversarial_input_promptly(source):
    pattern = model_patterns()[source]
    for text in adversarial(source):
        started = time.perf_counter()
        pattern.fullmatch(text)
        assert time.perf_counter() - started < HANG_BOUND, (source, text[:20], text[-2:])


@needs_import_configuration
def test_the_pattern_that_backtracked_for_a_minute_refuses_at_once():
    started = time.perf_counter()
    assert not matches("MetadataFilePath", "a" * 22 + "\n")
    assert not matches("MetadataFilePath", "a " * LONG + "\n")
    assert time.perf_counter() - started < HANG_BOUND


def reference(source: str) -> re.Pattern[str]:
    """Python's backtracking `re` agrees with Java on these patterns, given ASCII classes, outside the line
    terminators only Java's `.` excludes; fine on short strings."""
    return re.compile(source.replace(r"\p{ASCII}", r"[\x00-\x7f]"), re.ASCII)


@pytest.mark.parametrize("source", PATTERNS, ids=NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_model_pattern_means_what_the_service_reads(source, data):
    alphabet = sorted(set(source) | set("aZ09 \n\t\x00\x7f\u00e9\u0661\U0001f600"))
    text = data.draw(
        st.one_of(st.text(alphabet, max_size=12), st.from_regex(reference(source), fullmatch=True)),
        label="text",
    )
    assume(not set(text) & set(JAVA_LINE_TERMINATORS))

    assert model_patterns()[source].fullmatch(text) == bool(reference(source).fullmatch(text))


@pytest.mark.parametrize("source", PATTERNS, ids=NAMES)
def test_every_ascii_character_alone_and_repeated_is_read_as_java_reads_it(source):
    """Single-class patterns answer ASCII texts from a set of accepted characters: every one is checked."""
    pattern, expected = model_patterns()[source], reference(source)
    for character in map(chr, range(128)):
        if character in JAVA_LINE_TERMINATORS:
            continue
        for text in (character, character * 32, "a" + character, character * 40_000):
            assert pattern.fullmatch(text) == bool(expected.fullmatch(text)), (source, text[:40])


@pytest.mark.parametrize(
    ("key", "accepted"),
    [("aws:x", False), ("aws:", False), ("awsx", True), ("aws", True), ("AWS:x", True), ("x:aws:", True)],
)
def test_tag_key_lookahead_refuses_the_aws_prefix_only(key, accepted):
    assert matches("TagKey", key) is accepted


@pytest.mark.parametrize(
    ("digits", "accepted"), [("0123", True), ("\u0661\u0662", False), ("\uff11", False), ("1\u0661", False)]
)
def test_digit_class_is_ascii_only(digits, accepted):
    assert matches("ImageSetExternalVersionId", digits) is accepted


@pytest.mark.parametrize(
    ("name", "accepted"),
    [("x", True), ("\u00e9t\u00e9", True), ("a\tb", True), ("a\x00b", True), ("\ud800", True)]
    + [(f"a{terminator}b", False) for terminator in "\n" + JAVA_LINE_TERMINATORS],
)
def test_dot_matches_anything_but_a_java_line_terminator(name, accepted):
    assert matches("RoleArn", f"arn:aws:iam::123456789012:role/{name}") is accepted


@pytest.mark.parametrize(
    ("token", "accepted"),
    [("a" * 8192, True), ("a" * 8193, False), ("\x00\x7f", True), ("caf\u00e9", False)],
    ids=["8192", "8193", "ascii-controls", "non-ascii"],
)
def test_counted_repetition_beyond_re2s_limit_keeps_its_count(token, accepted):
    assert matches("NextToken", token) is accepted


@pytest.mark.parametrize(
    ("message", "accepted"), [("copy_1 of: `x`", True), ("a;b", False), ("caf\u00e9", False)]
)
def test_word_class_is_ascii_only(message, accepted):
    assert matches("Message", message) is accepted


@needs_import_configuration
def test_import_with_a_backtracking_metadata_file_path_is_refused_promptly():
    configuration = {
        "dicomJsonMetadataImportConfiguration": {
            "dicomMetadataMappings": [{"studyInstanceUID": "1.2.3", "metadataFilePath": "a" * 22 + "\n"}]
        }
    }
    with mock_medical_imaging():
        client = boto3.client(
            "medical-imaging", region_name="us-east-1", config=Config(parameter_validation=False)
        )
        started = time.perf_counter()
        with pytest.raises(client.exceptions.ValidationException) as refused:
            client.start_dicom_import_job(
                datastoreId="0" * 32,
                dataAccessRoleArn="arn:aws:iam::123456789012:role/ImportRole",
                inputS3Uri="s3://input-bucket/in/",
                outputS3Uri="s3://output-bucket/out/",
                importConfiguration=configuration,
            )
        elapsed = time.perf_counter() - started

    assert elapsed < 10 * HANG_BOUND
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "metadataFilePath" in refused.value.response["Error"]["Message"]
    assert "Member must satisfy regular expression pattern" in refused.value.response["Error"]["Message"]
