"""A target card of the plan page, drawn in one piece.

The plan page shows every target of a plan (200 and more), and drawing each
card through a template include cost three quarters of the page's time
(docs/performance.md: the page was 4x its `.values()` view). Here a card is one
format string (tracker/reports/markup.py), and its fixed words are
translated once per page (`CardWords`), not once per card. The markup is the one
the include drew (tests/reports/test_views.py reads every part of it).
"""

from dataclasses import dataclass

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tracker.reports.markup import html
from tracker.reports.presenters import TargetCard

DASH = "—"


@dataclass(frozen=True)
class CardWords:
    """The words every card repeats, in the reader's language."""

    stretch_tag: SafeString
    assigned_tag: SafeString
    milestone: str
    none_yet: str
    current_goal: str
    deadline: str
    lead: str
    last_update: str
    quote: str
    see_quote: str
    target_url: tuple[str, str]  # a target page's URL around its id


# reverse() once a page, not once a card (15 µs each): the URL around a stand-in id.
STAND_IN = 987654321


def card_words() -> CardWords:
    return CardWords(
        stretch_tag=format_html(' <span class="tag">{}</span>', _("stretch (力争)")),
        assigned_tag=format_html(' <span class="tag tag-assigned">{}</span>', _("assigned (交办)")),
        milestone=_("Milestone"),
        none_yet=_("none yet"),
        current_goal=_("Current / target"),
        deadline=_("Deadline"),
        lead=_("Lead department"),
        last_update=_("Last update"),
        quote=_("Source quote"),
        see_quote=_("See it in the document"),
        target_url=tuple(reverse("reports:target", args=[STAND_IN]).split(str(STAND_IN))),
    )


def card_html(c: TargetCard, level: int, words: CardWords) -> SafeString:
    """One target as a list item: title and tags, badge and 督办 flag, bar, facts, quote."""
    target = c.target
    url = f"{words.target_url[0]}{target.pk}{words.target_url[1]}"
    tags = (words.stretch_tag if target.is_stretch else "") + (
        words.assigned_tag if target.assignment_id else ""
    )
    if c.is_milestone:
        measure = html(
            '<div><dt>{0}</dt><dd><span class="current">{1}</span></dd></div>',
            words.milestone,
            c.current or words.none_yet,
        )
    else:
        measure = html(
            '<div><dt>{0}</dt><dd><span class="current">{1}</span> / '
            '<span class="goal">{2}</span></dd></div>',
            words.current_goal,
            c.current or DASH,
            c.goal,
        )
    if target.deadline_text and not target.deadline:
        deadline = target.deadline_text
    else:
        deadline = c.due_on.isoformat() if c.due_on else ""
    quote = ""
    if target.quote:
        quote = html(
            '\n  <details class="quote">\n    <summary>{0}</summary>\n'
            "    <blockquote>{1}</blockquote>\n"
            '    <p><a href="{2}#quote">{3}</a></p>\n  </details>',
            words.quote,
            linebreaksbr(target.quote, autoescape=True),
            url,
            words.see_quote,
        )
    return html(
        '<li class="target tone-{tone}" id="target-{pk}">\n'
        '  <div class="target-head">\n'
        '    <h{level} class="target-title"><a href="{url}">{title}</a>{tags}</h{level}>\n'
        "    {badge}{flag}\n"
        "  </div>\n"
        '  <div class="target-progress">\n'
        "    {bar}\n"
        '    <span class="percent">{percent}</span>\n'
        "  </div>\n"
        '  <dl class="facts">\n'
        "    {measure}\n"
        "    <div><dt>{deadline_word}</dt><dd>{deadline}</dd></div>\n"
        "    <div><dt>{lead_word}</dt><dd>{lead}</dd></div>\n"
        "    <div><dt>{update_word}</dt><dd>{as_of}</dd></div>\n"
        "  </dl>{quote}\n"
        "</li>",
        tone=c.badge.tone,
        pk=target.pk,
        level=level,
        url=url,
        title=target.title,
        tags=mark_safe(tags),
        badge=c.badge.html,
        flag=mark_safe(" " + c.flag.html) if c.flag else "",
        bar=c.bar,
        percent=c.percent or DASH,
        measure=measure,
        deadline_word=words.deadline,
        deadline=deadline,
        lead_word=words.lead,
        lead=(target.lead_department.name if target.lead_department else "") or DASH,
        update_word=words.last_update,
        as_of=c.as_of.isoformat() if c.as_of else words.none_yet,
        quote=quote,
    )
