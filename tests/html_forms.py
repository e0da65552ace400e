"""Reading back what a form on a rendered page would submit."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormValues(HTMLParser):
    """The values a browser would submit from a form: name -> value."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            self.values[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values[name] = ""
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str) -> dict[str, str]:
    """What the edit form (the first `novalidate` POST form) on `html` would submit."""
    form = html[html.index('<form method="post" novalidate'):]
    parser = _FormValues()
    parser.feed(form[: form.index("</form>")])
    return parser.values


def posted_form_values(html: str, action: str) -> dict[str, str]:
    """What the POST form whose action is `action` (or, failing that, the first POST form) would submit."""
    if f'action="{action}"' in html:
        form = html[html.rindex("<form", 0, html.index(f'action="{action}"')):]
    else:
        form = html[html.index('<form method="post"'):]
    parser = _FormValues()
    parser.feed(form[: form.index("</form>")])
    return parser.values
