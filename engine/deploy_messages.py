"""What a deployment problem says, in English and Simplified Chinese, and where it points.

Every sentence names the element as drawn and says what to change. `{what}` is filled with
the element's description (see bundle_xml.Document.describe); the other fields come from the
check that found the problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .deploy_catalog import MESSAGES, ROLES


@dataclass(frozen=True)
class DeployProblem:
    """One reason a set of files cannot be deployed, pointing at a file, element and line."""

    file: str
    element_id: str | None
    element_name: str | None
    line: int | None  # None only for a whole-file problem (wrong type, too large)
    message: str  # English: what is wrong AND what to change
    message_zh: str  # the same in Simplified Chinese


class DeployRejected(Exception):
    """The uploaded set cannot be deployed; `problems` lists every reason found."""

    def __init__(self, problems: list[DeployProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.file}:{p.line}: {p.message}" for p in problems[:5]))


class Report:
    """Collects problems across all checks; identical problems are kept once."""

    def __init__(self) -> None:
        self.problems: list[DeployProblem] = []
        self._seen: set[tuple] = set()

    def add(
        self,
        code: str,
        doc,
        el: etree._Element | None = None,
        *,
        line: int | None = None,
        filename: str | None = None,
        element_id: str | None = None,
        **params: object,
    ) -> None:
        """Record problem `code` about `el` of `doc` (a bundle_xml.Document or None)."""
        en, zh = MESSAGES[code]
        if el is not None and doc is not None:
            params.setdefault("what", doc.describe(el)[0])
            params.setdefault("what_zh", doc.describe(el)[1])
        role = params.get("role")
        if isinstance(role, str):
            params["role"], params["role_zh"] = ROLES.get(role, (role, role))
        params.setdefault("file", filename or (doc.filename if doc is not None else ""))
        if line is None and el is not None:
            line = el.sourceline
        params.setdefault("line", line)
        problem = DeployProblem(
            file=filename or (doc.filename if doc is not None else ""),
            element_id=el.get("id") if el is not None else element_id,
            element_name=(el.get("name") or None) if el is not None else None,
            line=line,
            message=_sentence(en.format(**params))
            if en.startswith("{what}")
            else en.format(**params),
            message_zh=zh.format(**params),
        )
        key = (problem.file, problem.element_id, problem.line, problem.message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(problem)

    def extend(self, problems: list[DeployProblem]) -> None:
        for problem in problems:
            key = (problem.file, problem.element_id, problem.line, problem.message)
            if key not in self._seen:
                self._seen.add(key)
                self.problems.append(problem)

    def __bool__(self) -> bool:
        return bool(self.problems)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
