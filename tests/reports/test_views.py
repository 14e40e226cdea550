"""The report pages on the seed data, read as a person (or a crawler) would read them."""

import csv
import io
import re

import openpyxl
import pytest
from django.test import Client

from tests import factories
from tests.reports.conftest import build_plan
from tracker.choices import PlanStatus, Role
from tracker.models import ProgressUpdate, SourceDocument, Target

pytestmark = pytest.mark.django_db

DANZAO_LAND = "村级工业园土地拆除整理（年度任务）"  # 1641.72 of 2500 亩 by 2020-06-30
DANZAO_QUOTE = "截至目前,丹灶已完成土地拆除整理1641.72亩,实现年度任务量的65.67%"


def page(client: Client, url: str, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def danzao_land() -> Target:
    return Target.objects.get(plan__town__slug="danzao", title=DANZAO_LAND)


def seed_pages() -> list[str]:
    return [
        "/",
        "/towns/danzao/2020/",
        "/towns/guicheng/2022/",
        "/towns/xiqiao/2022/",
        "/towns/xiqu/2026/",
        "/towns/guicheng/2021/",
        f"/targets/{danzao_land().pk}/",
        "/regions/nanhai/2022/",
        "/regions/guangdong/2026/",
    ]


# --- Home ------------------------------------------------------------------


def test_home_shows_the_region_tree_and_each_towns_latest_plan(seeded, client):
    html = page(client, "/")
    for name in (
        "广东省",
        "佛山市",
        "南海区",
        "中山市",
        "西樵镇",
        "桂城街道",
        "丹灶镇",
        "西区街道",
    ):
        assert name in html
    assert 'href="/towns/guicheng/2022/"' in html  # latest of 桂城's two plans
    assert 'href="/towns/guicheng/2021/"' in html  # offered as an earlier plan
    assert 'href="/regions/nanhai/2022/"' in html
    assert "空间再造，产业重塑，缔造美好生活在西樵" in html  # 西樵's theme line


def test_home_spells_out_each_towns_status_counts(seeded, client):
    cards = page(client, "/").split('<li class="town-card">')
    danzao = next(card for card in cards if 'href="/towns/danzao/2020/"' in card)
    # 2020's plan is closed: its unmet target reads 未完成, the unreported ones 逾期未报.
    assert re.search(r"未完成</span> <strong>1</strong> <span class=\"share\">\(20%\)", danzao)
    assert re.search(r"逾期未报</span> <strong>4</strong>", danzao)


def test_home_hides_drafts_from_the_public(client):
    draft = build_plan(1, status=PlanStatus.DRAFT)
    html = page(client, "/")
    assert draft.town.name in html
    assert f"/towns/{draft.town.slug}/" not in html


# --- A town's plan -----------------------------------------------------------


def test_plan_page_shows_theme_sections_and_targets(seeded, client):
    html = page(client, "/towns/xiqiao/2022/")
    assert "空间再造，产业重塑，缔造美好生活在西樵" in html
    assert "工作主线" in html
    assert "村级工业园攻坚拆除" in html
    html = page(client, "/towns/xiqu/2026/")
    for label in ("一、", "(一)"):  # as 西区 writes them
        assert f'<span class="section-label">{label}</span>' in html, label


def test_plan_page_shows_a_targets_progress_against_its_target(seeded, client):
    html = page(client, "/towns/danzao/2020/")
    card = html[html.index(f'id="target-{danzao_land().pk}"') :]
    card = card[: card.index("</li>")]
    # Chinese writes the unit on the number, and the target as the document does.
    assert "1641.72亩" in card
    assert "完成2500亩" in card
    assert "65.67%" in card
    assert 'data-status="unmet"' in card  # the year is over: not achieved
    assert "未完成" in card
    assert "2020-12-31" in card  # deadline
    assert "2020-06-30" in card  # latest update
    assert "<details" in card
    assert DANZAO_QUOTE in card


def test_plan_page_draws_each_part_of_a_card_and_escapes_what_it_quotes(client):
    """The cards are drawn in Python (tracker/reports/card_html.py), not by a template:
    every branch of the card, and the escaping a template would have done."""
    plan = factories.PlanFactory()
    section = factories.SectionFactory(plan=plan)
    lead = factories.DepartmentFactory(town=plan.town, name="经济<发展>办")
    quantity = factories.TargetFactory(
        section=section,
        title="拆除<b>旧厂房</b>",
        is_stretch=True,
        lead_department=lead,
        quote="力争完成拆除2500亩，\n其中<script>x</script>",
    )
    milestone = factories.MilestoneFactory(
        section=section, deadline=None, deadline_text="3至5年内", quote=""
    )
    html = page(client, f"/towns/{plan.town.slug}/{plan.year}/")
    first = html[html.index(f'id="target-{quantity.pk}"') :]
    first = first[: first.index("</li>")]
    assert f'<a href="/targets/{quantity.pk}/">拆除&lt;b&gt;旧厂房&lt;/b&gt;</a>' in first
    assert '<span class="tag">力争</span>' in first
    assert "经济&lt;发展&gt;办" in first
    assert (
        "<blockquote>力争完成拆除2500亩，<br>其中&lt;script&gt;x&lt;/script&gt;</blockquote>"
        in first
    )
    assert f'<a href="/targets/{quantity.pk}/#quote">' in first
    assert f"{plan.year}-12-31" in first  # no deadline written: the plan year's end
    assert '<span class="current">—</span> / <span class="goal">完成2500亩</span>' in first
    second = html[html.index(f'id="target-{milestone.pk}"') :]
    second = second[: second.index("</li>")]
    assert "<dt>里程碑</dt>" in second
    assert '<span class="current">尚未填报</span>' in second
    assert "3至5年内" in second
    assert "<details" not in second
    assert "<dd>—</dd>" in second  # no lead department


def test_plan_page_filters_by_status(seeded, client):
    html = page(client, "/towns/danzao/2020/", data={"status": "unmet"})
    assert html.count('class="target ') == 1
    assert DANZAO_LAND in html
    assert "1 of 5" not in html  # said in Chinese
    assert "5 项指标中有 1 项符合筛选条件" in html


def test_plan_page_filters_by_section_with_its_subsections(client):
    plan = build_plan(12)
    top = plan.sections.get(parent__isnull=True, position=1)
    html = page(client, f"/towns/{plan.town.slug}/{plan.year}/", data={"section": top.pk})
    expected = Target.objects.filter(section__parent=top).count()
    assert expected
    assert html.count('class="target ') == expected


def test_plan_page_filters_by_department(client):
    plan = build_plan(3)
    other = factories.DepartmentFactory(town=plan.town, name="社会事务局")
    target = plan.targets.order_by("position").first()
    target.lead_department = other
    target.save()
    html = page(client, f"/towns/{plan.town.slug}/{plan.year}/", data={"department": other.pk})
    assert html.count('class="target ') == 1
    assert target.title in html


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus"},
        {"section": "abc"},
        {"department": "x"},
        {"section": "999999"},
        {"year": "abc", "ordering": "nonsense"},
    ],
)
def test_bad_filter_values_show_the_form_error(seeded, client, query):
    html = page(client, "/towns/danzao/2020/", data=query)
    assert 'class="form-errors" role="alert"' in html


def test_a_section_of_another_plan_is_a_form_error(seeded, client):
    other = Target.objects.filter(plan__town__slug="xiqu").first().section
    html = page(client, "/towns/danzao/2020/", data={"section": other.pk})
    assert 'role="alert"' in html


def test_csv_download_has_the_pages_targets_with_its_filters(seeded, client):
    response = client.get("/towns/danzao/2020/targets.csv", {"status": "unmet"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="danzao-2020-targets.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:5] == ["编号", "镇街", "年度", "章节", "指标"]
    assert [row[4] for row in rows] == [DANZAO_LAND]
    assert rows[0][header.index("状态")] == "未完成"


def test_csv_download_of_a_whole_plan_is_in_document_order(seeded, client):
    response = client.get("/towns/xiqu/2026/targets.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + Target.objects.filter(plan__town__slug="xiqu").count()
    assert rows[1][4] == "地区生产总值增长"  # the first target of section 一、


def test_xlsx_download_has_the_pages_targets(seeded, client):
    response = client.get("/towns/danzao/2020/targets.xlsx", {"status": "unmet"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == "指标"
    assert rows[1][4] == DANZAO_LAND
    assert rows[1][rows[0].index("完成率")] == pytest.approx(65.67)


def test_download_with_a_bad_filter_is_a_bad_request(seeded, client):
    response = client.get("/towns/danzao/2020/targets.csv", {"status": "bogus"})
    assert response.status_code == 400
    assert "状态" in response.content.decode()


# --- Who may read what ---------------------------------------------------------


def test_another_towns_draft_is_not_found_for_the_public_and_outsiders(client):
    draft = build_plan(2, status=PlanStatus.DRAFT)
    target = draft.targets.first()
    outsider = factories.MembershipFactory(role=Role.EDITOR).user  # of another town
    for reader in (None, outsider):
        reader_client = Client()
        if reader is not None:
            reader_client.force_login(reader)
        base = f"/towns/{draft.town.slug}/{draft.year}/"
        for url in (base, base + "targets.csv", base + "targets.xlsx", f"/targets/{target.pk}/"):
            assert reader_client.get(url).status_code == 404, url
        region = reader_client.get(f"/regions/{draft.town.region.slug}/{draft.year}/")
        assert target.title not in region.content.decode()


def test_a_towns_own_members_read_its_draft(client):
    draft = build_plan(2, status=PlanStatus.DRAFT)
    member = factories.MembershipFactory(town=draft.town, role=Role.VIEWER).user
    client.force_login(member)
    assert client.get(f"/towns/{draft.town.slug}/{draft.year}/").status_code == 200
    assert client.get(f"/targets/{draft.targets.first().pk}/").status_code == 200


def test_unknown_town_year_target_and_region_are_not_found(seeded, client):
    for url in (
        "/towns/nowhere/2022/",
        "/towns/danzao/2021/",
        "/targets/999999/",
        "/regions/x/2022/",
    ):
        assert client.get(url).status_code == 404, url


# --- A target ---------------------------------------------------------------------


def test_target_page_shows_history_pace_and_the_highlighted_quote(seeded, client):
    target = danzao_land()
    html = page(client, f"/targets/{target.pk}/")
    assert '<svg class="history"' in html
    assert 'class="pace-line"' in html
    assert "<circle" in html  # the one report
    assert f"<mark>{DANZAO_QUOTE}</mark>" in html
    assert 'id="quote"' in html
    assert "丹灶 聚力打好“四张牌” 建设高质量全面发展标杆镇" in html  # the document
    assert "2020-06-30" in html
    assert "1641.72亩" in html
    assert "65.67%" in html


def test_target_page_lists_every_update_with_notes_and_evidence(client):
    plan = build_plan(1, with_updates=False, year=2024)
    target = plan.targets.get()
    first = ProgressUpdate.objects.create(
        target=target,
        as_of="2024-03-31",
        value=300,
        note="一季度",
        evidence_url="https://example.org/q1",
    )
    ProgressUpdate.objects.create(
        target=target, as_of="2024-06-30", value=900, note="更正一季度数", corrects=first
    )
    html = page(client, f"/targets/{target.pk}/")
    assert "一季度" in html
    assert "更正一季度数" in html
    assert 'href="https://example.org/q1"' in html
    assert 'class="corrected"' in html


def test_milestone_target_page_draws_its_last_quarter(client):
    plan = build_plan(5, year=2024)
    milestone = plan.targets.get(kind="milestone")
    html = page(client, f"/targets/{milestone.pk}/")
    assert "band-at-risk" in html
    assert "pace-line" not in html


# --- A region -----------------------------------------------------------------------


def test_region_page_puts_towns_side_by_side_and_compares_like_targets(seeded, client):
    html = page(client, "/regions/nanhai/2022/")
    assert "西樵镇" in html
    assert "桂城街道" in html
    assert "丹灶镇" in html
    assert "2022 年无公开计划" in html  # 丹灶 has no 2022 plan
    compared = html[html.index('id="compare-title"') :]
    assert "以“亩”计的指标" in compared
    assert "村级工业园攻坚拆除" in compared
    assert "开发拓展映月湖片区新空间" in compared


def test_region_page_for_a_city_reaches_the_towns_below_its_districts(seeded, client):
    html = page(client, "/regions/foshan/2022/")
    assert "西樵镇" in html
    assert "桂城街道" in html


def test_region_page_for_a_year_without_plans_says_so(seeded, client):
    html = page(client, "/regions/nanhai/2030/")
    assert "2030 年无公开计划" in html


# --- On every page ---------------------------------------------------------------------


def test_every_page_has_the_language_switcher_the_legend_and_the_rule(seeded, client):
    for url in seed_pages():
        html = page(client, url)
        assert 'action="/i18n/setlang/"' in html, url
        assert 'name="language" value="en"' in html, url
        assert "完成率为已完成值除以目标值" in html, url  # RULE_SUMMARY, translated
        for light in ("红灯", "黄灯", "绿灯"):
            assert light in html, url


def test_pages_link_to_no_other_host_but_the_data(seeded, client):
    """Everything a page needs comes from the app: it works on an intranet."""
    allowed = {url for url in SourceDocument.objects.values_list("url", flat=True) if url}
    allowed |= {u for u in ProgressUpdate.objects.values_list("evidence_url", flat=True) if u}
    for url in seed_pages():
        html = page(client, url)
        found = set(re.findall(r"https?://[^\s\"'<>]+", html))
        assert found <= allowed, (url, found - allowed)
        assert not re.search(r"(?:src|href)=\"//", html), url  # protocol-relative
        assert "@import" not in html, url
        assert "<script" not in html, url


def test_pages_are_chinese_first_even_for_an_english_browser(seeded, client):
    html = page(client, "/towns/danzao/2020/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-Hans">' in html
    assert "章节与指标" in html


def test_the_api_still_honours_accept_language(client):
    response = client.get("/api/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"
    response = client.get("/api/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "zh-hans"


def test_switching_to_english_and_back(seeded, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/towns/danzao/2020/"})
    assert response.status_code == 302
    assert response["Location"] == "/towns/danzao/2020/"
    html = page(client, "/towns/danzao/2020/")
    assert '<html lang="en">' in html
    assert "Sections and targets" in html
    assert "Behind" in html
    assert "Danzao" in html  # the town's English name
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "章节与指标" in page(client, "/towns/danzao/2020/")


def test_badges_say_the_status_in_words_not_only_colour(seeded, client):
    html = page(client, "/towns/danzao/2020/")
    for badge in re.findall(r'<span class="badge tone-[^"]+"[^>]*>(.*?)</span>\s*</span>', html):
        assert re.sub(r"<[^>]+>", "", badge).strip()


def test_pages_have_one_h1_a_language_and_labelled_filters(seeded, client):
    for url in seed_pages():
        html = page(client, url)
        assert html.count("<h1") == 1, url
        assert 'class="skip-link" href="#main"' in html
    html = page(client, "/towns/danzao/2020/")
    for field in ("section", "status", "department"):
        assert f'<label for="id_{field}">' in html
        assert f'id="id_{field}"' in html


def test_the_filter_menus_keep_the_choice_made_and_mark_a_bad_one(client):
    """The menus are drawn by tracker/reports/widgets.MenuSelect, not Django's templates."""
    plan = build_plan(3)
    top = plan.sections.get(parent__isnull=True, position=1)
    url = f"/towns/{plan.town.slug}/{plan.year}/"
    html = page(client, url, data={"section": top.pk, "status": "behind"})
    assert f'<option value="{top.pk}" selected>' in html
    assert '<option value="behind" selected>' in html
    assert '<option value="" selected>' in html  # the department menu: all
    html = page(client, url, data={"section": "abc"})
    assert (
        '<select name="section" aria-describedby="id_section_error" aria-invalid="true" '
        'id="id_section">' in html
    )
    assert '<option value="" selected>全部章节</option>' not in html  # nothing chosen
