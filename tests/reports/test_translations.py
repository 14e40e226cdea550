"""The Chinese catalogue: complete, compiled without gettext, and used by the pages."""

import gettext
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

from tracker import progress
from tracker.choices import Status, TownKind
from tracker.management.commands.compile_translations import compile_translations

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_of_the_project_has_a_chinese_translation():
    catalogue = polib.pofile(str(PO))
    live = [entry for entry in catalogue if not entry.obsolete]
    untranslated = [entry.msgid for entry in live if not entry.translated()]
    assert live
    assert untranslated == []


def test_each_message_is_in_the_catalogue_once():
    # Branches add entries at once and the catalogue merges by union
    # (.gitattributes), so two of them may add the same message.
    keys = [(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(PO))]
    assert [key for key in set(keys) if keys.count(key) > 1] == []


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(PO)):
        if entry.obsolete or "python-format" not in entry.flags:
            continue
        names = sorted(set(re_names(entry.msgid)))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                assert sorted(set(re_names(text))) == names, entry.msgid


def re_names(text: str) -> list[str]:
    return re.findall(r"%\((\w+)\)", text)


def test_the_rule_summary_is_translated_and_states_the_configured_thresholds(settings):
    settings.TRACKER_ON_TRACK_RATIO, settings.TRACKER_AT_RISK_RATIO = 0.85, 0.6
    with translation.override("zh-hans"):
        chinese = progress.rule_summary()
    with translation.override("en"):
        english = progress.rule_summary()
    assert chinese.startswith("完成率为已完成值除以目标值")
    assert "85%" in chinese
    assert "60%" in chinese
    assert "90%" not in chinese
    assert "at least 85% of the expected pace" in english
    assert "60–85% of the pace" in english
    assert "below 60%" in english


def test_compile_translations_writes_a_catalogue_gettext_can_read(tmp_path):
    messages = tmp_path / "zh_Hans" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text(PO.read_text(encoding="utf-8"), encoding="utf-8")
    written = compile_translations([tmp_path])
    assert written == [messages / "django.mo"]
    with open(written[0], "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("Behind") == "滞后"
    assert catalogue.gettext("Sub-district") == "街道"
    assert compile_translations([tmp_path]) == []  # up to date: nothing rewritten


def test_choices_read_in_chinese():
    with translation.override("zh-hans"):
        assert [str(s.label) for s in Status] == [
            "已完成",
            "正常推进",
            "有风险",
            "滞后",
            "未完成",
            "逾期未报",
            "未启动",
            "未填报",
        ]
        assert str(TownKind.TOWN.label) == "镇"
