"""Bytes in: encodings accepted, and one-line refusals for everything else."""

import codecs
import random

import pytest

from tracker.extraction import ExtractionError, extract
from tracker.extraction.decoding import MAX_BYTES, decode

PLAN = "力争引进优质企业8家以上。"


def _refusal(data: bytes) -> str:
    with pytest.raises(ExtractionError) as caught:
        extract(data)
    message = str(caught.value)
    assert message
    assert "\n" not in message, message
    return message


def test_utf8_is_read():
    text, encoding = decode(PLAN.encode("utf-8"))
    assert text == PLAN
    assert encoding == "utf-8"


def test_utf8_bom_is_dropped_and_offsets_point_past_it():
    result = extract(codecs.BOM_UTF8 + PLAN.encode("utf-8"))
    assert result.encoding == "utf-8-sig"
    assert result.text == PLAN
    (c,) = result.candidates
    assert result.text[c.start : c.end] == c.quote == "力争引进优质企业8家以上"


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_gbk_and_gb18030_are_detected(codec):
    text = "西区街道2026年工作计划\n\n计划新增中小学公办学位超1000个。确保水环境质量改善率达标。"
    result = extract(text.encode(codec))
    assert result.encoding == "gb18030"
    assert result.text == text
    (target,) = [c for c in result.candidates if c.kind == "target"]
    assert (target.value, target.unit, target.comparison) == (1000, "个", "gt")


def test_gb18030_only_characters_are_read():
    text = "新增学位1000个，𠀀字也在。" * 3  # 𠀀 needs GB18030's four-byte form
    result = extract(text.encode("gb18030"))
    assert result.text == text


def test_empty_input_is_refused():
    assert "empty" in _refusal(b"")


def test_whitespace_only_input_is_refused():
    assert "empty" in _refusal(b" \n\t\r\n  ")


def test_nul_bytes_mean_binary():
    assert "binary" in _refusal(b"abc\x00def" + PLAN.encode())


def test_input_over_ten_megabytes_is_refused():
    data = ("新增学位1000个。" * (MAX_BYTES // 20)).encode()
    assert len(data) > MAX_BYTES
    assert "too large" in _refusal(data)


def test_input_just_under_the_limit_is_decoded():
    unit = "新增学位1000个。\n".encode()
    data = unit * (MAX_BYTES // len(unit))
    assert len(data) <= MAX_BYTES
    text, _ = decode(data)  # decoding only: extracting 10 MB is the benchmark's job
    assert text.startswith("新增学位")


def test_utf16_with_bom_is_refused_by_name():
    assert "UTF-16" in _refusal(PLAN.encode("utf-16"))


def test_utf16_without_bom_is_refused():
    _refusal(PLAN.encode("utf-16-le"))
    _refusal(PLAN.encode("utf-16-be"))


def test_utf16_of_chinese_only_text_has_no_nul_and_is_still_refused():
    data = "西区街道工作计划".encode("utf-16-le")
    assert b"\x00" not in data
    assert "cannot decode" in _refusal(data)


def test_random_high_bytes_are_refused():
    rng = random.Random(20260209)
    for _ in range(20):
        data = bytes(rng.randrange(0x80, 0x100) for _ in range(400))
        _refusal(data)


def test_latin1_is_refused():
    assert "cannot decode" in _refusal("Plan für 2026: café, naïve".encode("latin-1"))


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b"\x89PNG\r\n", "PNG"),
    ],
)
def test_known_binary_formats_are_named(data, what):
    assert what in _refusal(data)


def test_non_bytes_input_is_refused():
    with pytest.raises(ExtractionError):
        extract("a str, not bytes")  # type: ignore[arg-type]


def test_document_without_numbers_gives_no_candidates():
    result = extract("深入贯彻新发展理念，推动高质量发展。".encode())
    assert result.candidates == []
