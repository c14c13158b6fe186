"""The UI's translations: every message the pages can show has a Simplified Chinese text with
the same placeholders, the committed .mo files match their .po files, and a page reads in the
language the user picked.

When a test here fails after a change to webapp/, run `make translations`, translate the new
entries in webapp/translations/zh_Hans_CN/LC_MESSAGES/messages.po, and run it again.
"""

from __future__ import annotations

import io
import re
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"
# Flask-Babel looks catalogs up by str(Locale.parse("zh_CN")), which is "zh_Hans_CN"
CATALOG_LOCALES = ("zh_Hans_CN", "en")

# a %-format conversion: %(name)s, %d, %.1f ... and the escaped %%
_CONVERSION = re.compile(
    r"%(?:\((?P<name>\w+)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])"
)
_FIELD_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _read_po(locale: str) -> Catalog:
    with _po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def _texts(catalog: Catalog) -> dict:
    """msgid -> msgstr of the catalog's messages, without the header entry."""

    def plain(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def _strings(message) -> tuple[str, ...]:
    """A message's msgstr, or its plural forms."""
    return tuple(message.string) if message.pluralizable else (message.string,)


def _conversions(text: str) -> Counter:
    return Counter(m["name"] or m["type"] for m in _CONVERSION.finditer(text) if m["type"] != "%")


def _extract_command(output: Path) -> list[str]:
    """The Makefile's `pybabel extract` line, run by this interpreter and writing to `output`."""
    makefile = (ROOT / "Makefile").read_text()
    line = re.search(r"^\t\$\(VENV\)/bin/pybabel (extract .*)$", makefile, re.MULTILINE)
    assert line, "the Makefile's translations target no longer runs `pybabel extract`"
    args = shlex.split(line[1])
    assert "-o" in args, "the Makefile's `pybabel extract` should write its template with -o"
    args[args.index("-o") + 1] = str(output)
    return [sys.executable, "-m", "babel.messages.frontend", *args]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The messages in the current sources, extracted exactly as `make translations` does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(_extract_command(pot), cwd=ROOT, check=True, capture_output=True, text=True)
    with pot.open("rb") as f:
        catalog = read_po(f)
    assert len(_texts(catalog)) > 50, "extraction found almost nothing: check webapp/babel.cfg"
    return catalog


# -- the catalogs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("locale", CATALOG_LOCALES)
def test_catalog_holds_exactly_the_messages_in_the_source(extracted, locale):
    source = set(_texts(extracted))
    catalog = set(_texts(_read_po(locale)))
    assert not sorted(source - catalog, key=str), "not in the catalog: run `make translations`"
    assert not sorted(catalog - source, key=str), "no longer in the source: `make translations`"


def test_every_message_has_a_chinese_text(extracted):
    catalog = _read_po("zh_Hans_CN")
    untranslated = [
        message.id
        for message in extracted
        if message.id
        and (
            (entry := catalog.get(message.id)) is None
            or entry.fuzzy
            or not all(text.strip() for text in _strings(entry))
        )
    ]
    assert not untranslated, "translate these in zh_Hans_CN/LC_MESSAGES/messages.po"


def test_chinese_texts_keep_the_placeholders():
    wrong = [
        (message.id, text)
        for message in _read_po("zh_Hans_CN")
        if message.id
        for text in _strings(message)
        # the last msgid is the plural one, the form with every placeholder
        if text
        and _conversions(text)
        != _conversions(message.id[-1] if message.pluralizable else message.id)
    ]
    assert not wrong, "a msgstr must use the same %(name)s placeholders as its msgid"


def test_english_falls_back_to_the_source_text():
    assert not [m.id for m in _read_po("en") if m.id and any(_strings(m))], "en msgstrs stay empty"


@pytest.mark.parametrize("locale", CATALOG_LOCALES)
def test_compiled_catalog_matches_its_po_file(locale):
    compiled = io.BytesIO()
    write_mo(compiled, _read_po(locale), use_fuzzy=False)
    compiled.seek(0)
    committed = _po_path(locale).with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run `make translations`"
    with committed.open("rb") as f:
        shipped = read_mo(f)
    assert _texts(shipped) == _texts(read_mo(compiled)), "stale .mo: run `make translations`"


# -- the pages ------------------------------------------------------------------------------------
@pytest.fixture
def cs1(app):
    """A test client logged in as cs1 through the login page; cs1's saved language is restored."""
    from webapp.extensions import db
    from workflows.org.models import User

    with app.app_context():
        saved = db.session.scalar(select(User.locale).where(User.username == "cs1"))
    client = app.test_client()
    token = _FIELD_TOKEN.search(client.get("/login").get_data(as_text=True))[1]
    response = client.post(
        "/login", data={"username": "cs1", "password": "demo", "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    yield client
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "cs1")).locale = saved
        db.session.commit()


def _choose_language(client, locale: str) -> None:
    token = _FIELD_TOKEN.search(client.get("/tasks").get_data(as_text=True))[1]
    response = client.post(
        "/language", data={"locale": locale, "next": "/tasks", "csrf_token": token}
    )
    assert response.status_code == 302


# (path, status, what it shows in Chinese, what it shows in English)
PAGES = [
    ("/tasks", 200, [">待办</h1>", "分配给我", "我的角色可办"], [">Inbox</h1>", "Assigned to me"]),
    ("/cases", 200, [">工单</h1>", "发起流程", "筛选"], [">Cases</h1>", "Start a process"]),
    ("/processes", 200, [">流程</h1>", "部署时间"], [">Processes</h1>", "Deployed"]),
    ("/no-such-page", 404, ["此页面不存在，请检查网址。"], ["There is nothing here."]),
]


@pytest.mark.parametrize(("path", "status", "zh", "en"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_read_in_the_chosen_language(cs1, path, status, zh, en):
    _choose_language(cs1, "zh_CN")
    response = cs1.get(path)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert [text for text in zh if text not in page] == []
    assert [text for text in en if text in page] == []

    _choose_language(cs1, "en")
    response = cs1.get(path)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert 'lang="en"' in page
    assert [text for text in en if text not in page] == []
    assert [text for text in zh if text in page] == []


def test_login_page_is_chinese_by_default(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert ">登录</h1>" in page and "用户名" in page and "密码" in page
    assert ">Log in</h1>" in app.test_client().get("/login?lang=en").get_data(as_text=True)
