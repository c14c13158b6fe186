"""Read form-js JSON files and check them before anything runs on them.

All problems found in a file, or in a folder of files, are raised as one FormError at
deploy time.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from forms.components import FormError, FormProblem, problem
from forms.definition import FormDefinition
from forms.reader import FormReader


class _DuplicateJsonKey(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for name, value in pairs:
        if name in obj:
            raise _DuplicateJsonKey(name)
        obj[name] = value
    return obj


def _parse(source: str | bytes | dict) -> dict:
    if isinstance(source, dict):
        return copy.deepcopy(source)  # the caller may go on changing its dict
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FormError([problem("bad_encoding")]) from None
    try:
        data = json.loads(source, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as err:
        raise FormError(
            [problem("bad_json", line=err.lineno, column=err.colno, detail=err.msg)]
        ) from None
    except _DuplicateJsonKey as err:
        raise FormError([problem("duplicate_json_key", name=err.args[0])]) from None
    if not isinstance(data, dict):
        raise FormError([problem("not_object")])
    return data


def load_form(source: str | bytes | dict, filename: str = "<form>") -> FormDefinition:
    """Load one form from JSON text, bytes or an already parsed dict; raise FormError if invalid."""
    try:
        raw = _parse(source)
        form = FormReader(raw).read()
    except FormError as err:
        located = [replace(p, filename=filename) for p in err.problems]
        raise FormError(located, filename) from None
    return form


def load_forms_dir(path: str | Path) -> dict[str, FormDefinition]:
    """Load every ``*.form`` file of a folder, keyed by form id; all problems raised together."""
    folder = Path(path)
    if not folder.is_dir():
        raise FormError([problem("not_a_folder", name=str(folder))], str(folder))
    forms: dict[str, FormDefinition] = {}
    files: dict[str, list[str]] = {}
    problems: list[FormProblem] = []
    for file in sorted(folder.glob("*.form")):
        try:
            form = load_form(file.read_bytes(), filename=file.name)
        except FormError as err:
            problems.extend(err.problems)
            continue
        forms.setdefault(form.key, form)
        files.setdefault(form.key, []).append(file.name)
    for key, names in files.items():
        if len(names) > 1:
            dup = problem("duplicate_form", name=key, files=", ".join(names))
            problems.append(replace(dup, filename=names[-1]))
    if problems:
        raise FormError(problems, str(folder))
    return forms
