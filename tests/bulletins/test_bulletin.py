"""The monthly bulletin: its figures are the API's, its document a 公文 that says them."""

import datetime
import io
import zipfile
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from docx import Document
from rest_framework.test import APIClient

from tests import factories
from tracker.bulletins.document import bulletin_document, overall_sentences
from tracker.bulletins.sources import region_figures, town_figures
from tracker.choices import RegionLevel
from tracker.models import ProgressUpdate
from tracker.services import progress_record
from tracker.snapshots import snapshot_take

D = datetime.date
NOVEMBER_END = D(2026, 11, 30)


def _report(target, as_of, value, recorded_on, note=""):
    """A report through the one submission path, recorded on `recorded_on`."""
    moment = timezone.make_aware(datetime.datetime.combine(recorded_on, datetime.time(10)))
    field = ProgressUpdate._meta.get_field("reported_at")
    with (
        mock.patch.object(field, "_get_default", return_value=moment),
        mock.patch("django.utils.timezone.localdate", return_value=recorded_on),
    ):
        return progress_record(target=target, as_of=as_of, value=value, note=note)


@pytest.fixture
def world(db, settings):
    """A district with two towns' 2026 plans, reports through the year, October kept."""
    settings.TRACKER_TODAY = D(2026, 12, 1)
    city = factories.RegionFactory(level=RegionLevel.CITY, parent=factories.RegionFactory())
    district = factories.RegionFactory(level=RegionLevel.DISTRICT, parent=city, name="示范区")
    towns = []
    for name, values in (("甲镇", ("2400", "900", None)), ("乙镇", ("1000", None, "300"))):
        town = factories.TownFactory(region=district, name=name)
        plan = factories.PlanFactory(town=town, year=2026)
        section = factories.SectionFactory(plan=plan)
        lead = factories.DepartmentFactory(town=town, name=f"{name}经济发展办公室")
        for n, value in enumerate(values):
            target = factories.TargetFactory(
                section=section, title=f"{name}指标{n}", lead_department=lead
            )
            if value is not None:
                _report(target, D(2026, 10, 31), Decimal(value), D(2026, 10, 31), "征地未完成")
        towns.append(town)
    snapshot_take(month=D(2026, 10, 1), today=D(2026, 12, 1))
    # A November report that moves one target: the change since October is a fact.
    target = towns[1].plans.get().targets.get(title="乙镇指标1")
    _report(target, D(2026, 11, 20), Decimal("2450"), D(2026, 11, 20))
    return district, towns


def test_every_figure_equals_the_ranking_apis_for_the_same_day(world, settings):
    district, towns = world
    settings.TRACKER_TODAY = NOVEMBER_END
    with mock.patch("django.utils.timezone.localdate", return_value=NOVEMBER_END):
        api = APIClient().get(f"/api/regions/{district.slug}/ranking/?year=2026").json()
        rollup = APIClient().get(f"/api/regions/{district.slug}/rollup/?year=2026").json()
    figures = region_figures(district, 2026, 11, today=D(2026, 12, 1))
    assert figures.judged_on == NOVEMBER_END
    overall, counts = figures.overall, rollup["counts"]
    assert overall.target_count == api["target_count"] == sum(counts.values()) == 6
    assert overall.unreported == api["target_count"] - api["reported_count"]
    assert overall.achieved == counts["achieved"]
    assert overall.on_pace == counts["achieved"] + counts["on_track"]
    assert overall.red == sum(town["red_count"] for town in api["standings"])
    assert overall.red >= counts["behind"]  # red on the 督办 board: behind, and more
    fields = [
        "rank", "target_count", "reported_count", "completion_rate", "on_pace_share",
        "red_count", "reporting_rate", "on_time_rate",
    ]  # fmt: skip
    as_api = [{"name": s.name, **{f: getattr(s, f) for f in fields}} for s in figures.standings]
    expected = [{"name": t["name"], **{f: t[f] for f in fields}} for t in api["standings"]]
    assert [
        {k: (str(v) if v is not None and not isinstance(v, int) else v) for k, v in row.items()}
        for row in as_api
    ] == expected


def test_change_since_last_month_reads_octobers_snapshot(world):
    district, _towns = world
    figures = region_figures(district, 2026, 11, today=D(2026, 12, 1))
    before, now = figures.previous, figures.overall
    assert before is not None
    assert (before.unreported, now.unreported) == (2, 1)  # 乙镇指标1 reported in November
    assert "未填报减少1项" in overall_sentences(figures)[-1]


def test_a_town_ranks_its_departments_and_names_red_items_with_their_reasons(world):
    _district, towns = world
    figures = town_figures(towns[0], 2026, 11, today=D(2026, 12, 1))
    assert [s.name for s in figures.standings] == ["甲镇经济发展办公室"]
    assert figures.red_items, "900 of 2500 by 30 November is behind"
    item = next(i for i in figures.red_items if i.title == "甲镇指标1")
    assert (item.lead_unit, item.reason, item.where) == ("甲镇经济发展办公室", "征地未完成", "甲镇")
    assert item.owner == ""  # no 责任人 named


def test_a_red_item_names_its_person_responsible(world):
    _district, towns = world
    towns[0].plans.get().targets.filter(title="甲镇指标1").update(
        owner_name="张伟", owner_title="经济发展办公室主任"
    )
    figures = town_figures(towns[0], 2026, 11, today=D(2026, 12, 1))
    item = next(i for i in figures.red_items if i.title == "甲镇指标1")
    assert item.owner == "张伟（经济发展办公室主任）"
    assert "责任人：张伟（经济发展办公室主任）" in _text(bulletin_document(figures))


def _text(docx: bytes) -> str:
    document = Document(io.BytesIO(docx))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_document_says_the_figures_in_a_gongwen_layout(world):
    district, _towns = world
    figures = region_figures(district, 2026, 11, today=D(2026, 12, 1))
    docx = bulletin_document(figures)
    text = _text(docx)
    assert "示范区11月份" in text
    assert "重点工作推进情况通报" in text
    assert f"共有重点工作目标任务{figures.overall.target_count}项" in text
    assert f"已完成{figures.overall.achieved}项" in text
    assert "填报说明：征地未完成" in text
    for standing in figures.standings:
        assert standing.name in text
    document = Document(io.BytesIO(docx))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        styles = package.read("word/styles.xml").decode()
        body = package.read("word/document.xml").decode()
        footer = next(package.read(n).decode() for n in package.namelist() if "footer" in n)
        fonts = package.read("word/fontTable.xml").decode()
    assert 'w:eastAsia="仿宋_GB2312"' in styles  # the body style's Chinese font
    assert 'w:eastAsia="黑体"' in body
    assert 'w:eastAsia="楷体_GB2312"' in body
    assert "PAGE" in footer
    assert 'w:fldCharType="begin"' in footer
    assert 'w:name="仿宋_GB2312"' in fonts
    assert 'w:altName w:val="仿宋"' in fonts


def test_a_month_without_reports_says_so_in_words(db):
    town = factories.TownFactory(name="空镇")
    factories.TargetFactory(
        section=factories.SectionFactory(plan=factories.PlanFactory(town=town, year=2026))
    )
    figures = town_figures(town, 2026, 3, today=D(2026, 12, 1))
    text = _text(bulletin_document(figures))
    assert "均未填报推进情况，本期无进度数据可通报" in text
    assert "排名" not in text  # nothing to rank: no table of zeros
    empty = town_figures(factories.TownFactory(name="无计划镇"), 2026, 3, today=D(2026, 12, 1))
    assert "尚未录入重点工作目标任务" in _text(bulletin_document(empty))


def test_api_and_command_give_the_same_document(world, tmp_path):
    district, towns = world
    response = APIClient().get(f"/api/towns/{towns[0].slug}/bulletin.docx?year=2026&month=11")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    out = tmp_path / "b.docx"
    call_command(
        "bulletin", town=towns[0].slug, month="2026-11", out=str(out), stdout=io.StringIO()
    )
    assert _text(out.read_bytes()) == _text(response.content)
    bad = APIClient().get(f"/api/regions/{district.slug}/bulletin.docx?year=2027&month=1")
    assert bad.status_code == 400
    assert "month" in bad.json()
    with pytest.raises(CommandError, match="No region"):
        call_command("bulletin", region="nowhere", month="2026-11", out=str(out))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("bulletin", region=district.slug, month="2026-11", out="/no/such/b.docx")
