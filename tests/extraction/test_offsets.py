"""Offsets and quotes point into the document as stored, whatever its format."""

import json
import re
from decimal import Decimal

import pytest

from tests.extraction.helpers import seed_documents
from tracker.extraction import JSON_KEYS, extract

SEEDS = seed_documents()


def _check_verbatim(result):
    for c in result.candidates:
        assert 0 <= c.start < c.end <= len(result.text)
        assert result.text[c.start : c.end] == c.quote, c


def test_quote_spans_hard_line_breaks_verbatim():
    text = "西樵镇工作会议\n\n“我们要推动村改大攻坚，坚决完成\n\n2022年村级工业园攻坚拆除\n\n2500亩的任务。”\n"
    result = extract(text.encode())
    (c,) = result.candidates
    assert (c.value, c.unit) == (2500, "亩")
    assert c.quote == "坚决完成\n\n2022年村级工业园攻坚拆除\n\n2500亩的任务"
    _check_verbatim(result)


def test_a_number_split_by_a_line_break_is_joined():
    result = extract("工作要点\n\n今年要新增学位10\n00个，建设学校3所。".encode())
    values = [c.value for c in result.candidates]
    assert values == [Decimal("1000"), Decimal("3")]
    _check_verbatim(result)


def test_spaced_out_characters_are_closed_up_but_quoted_as_written():
    text = "其 次 是 打 好 文 旅 牌 ， 要 新 增 景 区 3 个 。"
    result = extract(text.encode())
    (c,) = result.candidates
    assert (c.value, c.unit, c.kind) == (3, "个", "target")
    assert c.quote == "要 新 增 景 区 3 个"
    _check_verbatim(result)


def test_html_tags_and_entities():
    html = (
        "<html><body><h2>主要目标</h2>"
        "<p>力争引进&nbsp;<b>优质企业</b>8家以上&#xff0c;签约项目15&#20010;。</p>"
        "<p>计划新增学位<br>\n超1000个。</p><!-- 注释 99个 --></body></html>"
    )
    result = extract(html.encode(), "plan.html")
    assert result.format == "html"
    found = [(c.value, c.unit, c.comparison) for c in result.candidates]
    assert found == [(8, "家", "ge"), (15, "个", "eq"), (1000, "个", "gt")]
    _check_verbatim(result)
    assert result.candidates[1].quote == "签约项目15&#20010;"
    assert result.candidates[2].quote == "计划新增学位<br>\n超1000个"
    assert result.candidates[0].section == "主要目标"


def test_front_matter_is_read_as_metadata_not_text():
    text = '---\ntitle: "2022年桂城要这样干"\ndate: 2022-01-28\n---\n<p>桂城将新建公园40个。</p>\n'
    result = extract(text.encode(), "post.md")
    assert result.title == "2022年桂城要这样干"
    (c,) = result.candidates
    assert (c.value, c.unit) == (40, "个")
    _check_verbatim(result)


def test_markdown_links_and_urls_carry_no_numbers():
    text = "新增学位100个。[返回2022新闻](//example.com/2022/123.html) <http://x.cn/?id=9999>\n"
    result = extract(text.encode(), "a.md")
    assert [c.value for c in result.candidates] == [100]


def test_gbk_offsets_are_character_offsets():
    text = "西区街道工作计划\n\n计划新增中小学公办学位超1000个。"
    result = extract(text.encode("gbk"))
    (c,) = result.candidates
    assert result.text[c.start : c.end] == c.quote == "计划新增中小学公办学位超1000个"


def test_json_has_exactly_the_documented_keys_and_string_numbers():
    result = extract("开发2—3个实战微应用，计划投入约7亿元。".encode())
    rows = [c.to_json() for c in result.candidates]
    assert rows
    for row in rows:
        assert tuple(row) == JSON_KEYS
        assert isinstance(row["value"], str)
        assert re.fullmatch(r"-?\d+(\.\d+)?", row["value"])
    assert rows[0]["value"] == "2"
    assert rows[0]["value_max"] == "3"
    json.dumps(rows, ensure_ascii=False)  # serialisable as is


@pytest.mark.skipif(not SEEDS, reason="no seed documents found")
@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_every_candidate_quote_is_verbatim_in_each_seed_document(path):
    result = extract(path.read_bytes(), path.name)
    assert result.text == path.read_bytes().decode("utf-8-sig")
    assert result.candidates
    _check_verbatim(result)
    for c in result.candidates:
        if c.value is not None:
            assert c.to_json()["value"] == format(c.value, "f")
            assert "E" not in c.to_json()["value"]


@pytest.mark.skipif(not SEEDS, reason="no seed documents found")
def test_seed_documents_read_the_same_from_gb18030():
    path = SEEDS[-1]
    text = path.read_bytes().decode("utf-8")
    as_utf8 = extract(text.encode("utf-8"), path.name)
    as_gb = extract(text.encode("gb18030"), path.name)
    assert [c.to_json() for c in as_gb.candidates] == [c.to_json() for c in as_utf8.candidates]


@pytest.mark.skipif(not SEEDS, reason="no seed documents found")
def test_seed_document_with_a_bom_keeps_offsets_into_the_text():
    path = SEEDS[0]
    plain = extract(path.read_bytes(), path.name)
    with_bom = extract(b"\xef\xbb\xbf" + path.read_bytes(), path.name)
    assert [c.to_json() for c in with_bom.candidates] == [c.to_json() for c in plain.candidates]
