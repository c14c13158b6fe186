"""The small part of Markdown that form-js text components use, rendered safely.

form-js text components hold Markdown. No Markdown library ships with the app, and raw
HTML in a form file must never reach the page, so this escapes everything first and then
turns a few constructs back into tags: headings, paragraphs, lists, bold, italic, code
and links to http(s)/mailto addresses.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_BULLET = re.compile(r"\s*[-*+]\s+(.*)")
_NUMBERED = re.compile(r"\s*\d+[.)]\s+(.*)")
_INLINE = (
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
    (
        re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:|/)[^\s)]*)\)"),
        r'<a href="\2" rel="noopener noreferrer" target="_blank">\1</a>',
    ),
)


def _inline(text: str) -> str:
    html = str(escape(text))  # escaped first: every tag added below is one of ours
    for pattern, replacement in _INLINE:
        html = pattern.sub(replacement, html)
    return html


def render_markdown(text: str) -> Markup:
    """HTML for a Markdown text; anything outside the supported subset stays plain text."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            inner = "".join(f"<li>{_inline(item)}</li>" for item in items)
            html.append(f"<{list_tag}>{inner}</{list_tag}>")
            items.clear()
            list_tag = ""

    for line in text.splitlines():
        heading = _HEADING.fullmatch(line.strip())
        bullet = _BULLET.fullmatch(line)
        numbered = _NUMBERED.fullmatch(line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            # Page and task titles use h1-h2; a form's own headings sit below them.
            tag = f"h{min(len(heading[1]) + 2, 6)}"
            html.append(f"<{tag}>{_inline(heading[2])}</{tag}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (list_tag and list_tag != tag):
                flush()
            list_tag = tag
            items.append((bullet or numbered)[1])
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    flush()
    return Markup("\n".join(html))
