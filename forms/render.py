"""Render a whole form as Bootstrap 5 controls for the server-rendered task pages.

Field controls come from ``forms.controls``; this module lays them out (form-js rows and
groups) and renders the display-only components.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import groupby
from typing import TYPE_CHECKING

from markupsafe import Markup

from forms.components import Decoration, FormField, Group, Node
from forms.controls import RENDERERS, Page, attrs
from forms.markdown import render_markdown

if TYPE_CHECKING:
    from forms.definition import FormDefinition


def render_form(
    form: FormDefinition,
    data: Mapping | None,
    errors: Mapping | None,
    locale: str,
    readonly: bool,
) -> Markup:
    """All the form's components, in order, with general errors in an alert on top."""
    page = Page(form, data or {}, errors or {}, locale, readonly)
    keys = {f.key for f in form.fields}
    general = [m for key in page.errors if key not in keys for m in page.messages(key)]
    alert = Markup("")
    if general:
        items = Markup("").join(Markup("<div>{}</div>").format(m) for m in general)
        alert = Markup('<div class="alert alert-danger" role="alert">{}</div>\n').format(items)
    return alert + _nodes(page, form.nodes)


def _nodes(page: Page, nodes: Iterable[Node]) -> Markup:
    # form-js puts components that share a layout row side by side on a 16-column grid;
    # a component without a row id is a row of its own.
    rows = groupby(nodes, key=lambda node: node.layout.row or id(node))
    return Markup("").join(_row(page, list(members)) for _, members in rows)


def _row(page: Page, nodes: list[Node]) -> Markup:
    if len(nodes) == 1 and nodes[0].layout.columns is None:
        return _node(page, nodes[0])
    cols = []
    for node in nodes:
        columns = node.layout.columns
        css = f"col-md-{max(1, round(columns * 12 / 16))}" if columns else "col-md"
        cols.append(Markup('<div class="{}">{}</div>').format(css, _node(page, node)))
    return Markup('<div class="row">\n{}</div>\n').format(Markup("").join(cols))


def _node(page: Page, node: Node) -> Markup:
    if isinstance(node, FormField):
        return RENDERERS[node.type](page, node)
    if isinstance(node, Group):
        legend = Markup("")
        if node.label:
            legend = Markup('<legend class="fs-6">{}</legend>\n').format(page.t(node.label))
        return Markup('<fieldset class="mb-3 border rounded p-3">\n{}{}</fieldset>\n').format(
            legend, _nodes(page, node.children)
        )
    return DECORATIONS[node.type](page, node)


DECORATIONS: dict[str, Callable[[Page, Decoration], Markup]] = {
    "text": lambda page, node: Markup('<div class="mb-3">{}</div>\n').format(
        render_markdown(page.t(node.text))
    ),
    "spacer": lambda page, node: Markup("<div{}></div>\n").format(
        attrs(style=f"height: {node.height or 60}px", aria_hidden="true")
    ),
    "separator": lambda page, node: Markup("<hr>\n"),
}
