"""A menu (<select>) drawn in Python, for the plan page's filter menus.

A plan's section menu offers every section (30 to 100), and Django draws each
option through a template of its own: a third of the plan page's template time
(docs/performance.md). `MenuSelect` draws the same markup as Django's
`select.html` and `select_option.html` (attributes by `flatatt`, so a
boolean one, such as `selected`, is written bare), from the same context.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class MenuSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )
