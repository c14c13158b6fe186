"""Turn a set of uploaded files into parsed, checked process specs, or reject the whole set.

`parse_bundle` reads .bpmn/.dmn/.form files together and either returns every executable
process with what the application needs to run it (spec, waiting tasks and who does them,
forms, source files), or raises DeployRejected listing every problem found, each a sentence
in English and Chinese that names the element as drawn, its line, and what to change.

Steps: read each file safely (bundle_xml) -> index processes, decisions, forms -> check DMN
(bundle_dmn) and BPMN (bundle_checks, bundle_expressions) -> rewrite what SpiffWorkflow
reads differently (bundle_rewrite) -> parse with SpiffWorkflow (bundle_spiff) -> describe
the waiting tasks (bundle_tasks) -> compile the decisions the application evaluates itself
and run its checks on them (decisions). Parsing with SpiffWorkflow only happens when the
checks found nothing, so each problem is reported once, in the checks' own words.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from forms import FormError, load_form

from .bundle_checks import BpmnChecker, BundleIndex, check_call_cycles
from .bundle_dmn import DmnChecker, decisions
from .bundle_rewrite import deployed_processes, rewrite
from .bundle_spiff import engine_specs
from .bundle_tasks import TaskMeta, collect_tasks, element_properties, property_value
from .bundle_xml import (
    BPMN_NS,
    DMN_NAMESPACES,
    MAX_FILE_BYTES,
    Document,
    XmlRejected,
    bpmn_children,
    camunda,
    label,
    load_xml,
)
from .decisions import DecisionCheck, DecisionError, compile_table
from .deploy_catalog import DMN_UNUSED_OWN
from .deploy_messages import DeployProblem, DeployRejected, Report

if TYPE_CHECKING:
    from forms import FormDefinition

__all__ = [
    "Bundle",
    "DecisionSource",
    "DeployProblem",
    "DeployRejected",
    "ProcessBundle",
    "TaskMeta",
    "parse_bundle",
]


@dataclass
class ProcessBundle:
    """One deployable process: its spec and what the application needs around it."""

    key: str  # bpmn process id
    name: str
    name_en: str | None
    spec: Any  # SpiffWorkflow BpmnProcessSpec
    subprocess_specs: dict[str, Any]  # as returned by parser.get_subprocess_specs(key)
    tasks: dict[str, TaskMeta]  # by task spec name, including those of called/embedded processes
    start_form_key: str | None  # camunda:formKey on the none start event
    starter_roles: tuple[str, ...] | None  # camunda:candidateStarterGroups (None if absent)
    files: dict[str, str]  # source files this process needs, name -> text as uploaded
    form_keys: frozenset[str]
    # spec name -> <camunda:property> values drawn on that element (name_en aside): how a
    # diagram tells the application what a step means (e.g. which service clock it stops)
    properties: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionSource:
    """One DMN decision of the set, as uploaded (or as stored, for a process's dependents)."""

    key: str  # the <decision id>
    name: str  # its name, else its key
    filename: str
    text: str  # the file as uploaded


@dataclass
class Bundle:
    processes: list[ProcessBundle]  # every executable top-level process found
    forms: dict[str, FormDefinition]  # forms uploaded in this set, by key
    decisions: list[DecisionSource] = field(default_factory=list)  # every DMN decision in the set


def parse_bundle(
    files: Mapping[str, bytes],
    *,
    evaluator,
    known_forms: Mapping[str, FormDefinition] = {},
    role_keys: Collection[str] | None = None,
    property_values: Mapping[str, Collection[str]] | None = None,
    decision_checks: Mapping[str, DecisionCheck] | None = None,
) -> Bundle:
    """Parse .bpmn/.dmn/.form files together; raise DeployRejected listing every problem (never a partial result).

    `role_keys` are the roles a lane name may stand for; without them a lane named like a
    role key (lower case, e.g. "repair_tech") counts as one. `decision_checks` are the
    decisions the application evaluates itself (they need no process) and what each must pass.
    """
    decision_checks = decision_checks or {}
    report = Report()
    bpmn, dmn, forms = _read_files(files, report)
    index = _index(bpmn, dmn, report, evaluator)
    index.form_keys = set(forms) | set(known_forms)
    for doc in dmn:
        DmnChecker(doc, evaluator, report).run()
    for doc in bpmn:
        for el in doc.duplicates:
            first = doc.by_id[el.get("id")]
            report.add("duplicate_id", doc, el, id=el.get("id"), first=first.sourceline)
        BpmnChecker(doc, index, report).run()
        _check_property_values(doc, property_values or {}, report)
    check_call_cycles(index, report)
    _unused_decisions(bpmn, dmn, decision_checks, report)
    if not report:
        for doc in bpmn:
            rewrite(doc, report)
    keys = {key: doc for key, (doc, _, deployed) in index.processes.items() if deployed}
    specs = engine_specs(bpmn, dmn, keys, report) if not report else {}
    processes = [
        _process_bundle(key, keys[key], *specs[key], index, report, role_keys)
        for key in keys
        if key in specs
    ]
    if not report:
        _check_decisions(index, decision_checks, evaluator, report)
    if report:
        raise DeployRejected(report.problems)
    sources = [
        DecisionSource(key, label(decision), doc.filename, doc.text)
        for key, (doc, decision) in index.decisions.items()
    ]
    return Bundle(processes=processes, forms=forms, decisions=sources)


def _read_files(
    files: Mapping[str, bytes], report: Report
) -> tuple[list[Document], list[Document], dict[str, FormDefinition]]:
    """Sort the upload into BPMN and DMN documents and loaded forms; report unreadable files."""
    bpmn: list[Document] = []
    dmn: list[Document] = []
    forms: dict[str, FormDefinition] = {}
    form_files: dict[str, str] = {}
    for name, raw in files.items():
        suffix = PurePath(name).suffix.lower()
        if suffix == ".form":
            if len(raw) > MAX_FILE_BYTES:
                report.add("file_too_large", None, filename=name, limit_mb=MAX_FILE_BYTES >> 20)
                continue
            try:
                form = load_form(raw, name)
            except FormError as err:
                for problem in err.problems:
                    report.add(
                        "form_problem",
                        None,
                        filename=name,
                        element_id=problem.component,
                        line=_json_line(raw, problem.component),
                        detail=problem.message,
                        detail_zh=problem.message_zh,
                    )
                continue
            if form.key in forms:
                report.add(
                    "duplicate_form",
                    None,
                    filename=name,
                    line=_json_line(raw, form.key),
                    other=form_files[form.key],
                    key=form.key,
                )
            forms[form.key], form_files[form.key] = form, name
            continue
        if suffix not in (".bpmn", ".xml", ".dmn"):
            report.add("unsupported_file", None, filename=name)
            continue
        try:
            root = load_xml(raw)
        except XmlRejected as err:
            report.add(err.code, None, filename=name, line=err.line, **err.params)
            continue
        doc = Document(name, raw.decode("utf-8-sig"), root)
        namespace, tag = root.nsmap.get(root.prefix), root.tag.split("}")[-1]
        if suffix == ".dmn":
            if namespace in DMN_NAMESPACES and tag == "definitions":
                dmn.append(doc)
            else:
                report.add("not_dmn", None, filename=name, line=root.sourceline, root=tag)
        elif namespace == BPMN_NS and tag == "definitions":
            bpmn.append(doc)
            if not bpmn_children(root, "process"):
                report.add("no_process", None, filename=name, line=root.sourceline)
        elif namespace in DMN_NAMESPACES:
            report.add("dmn_as_xml", None, filename=name, line=root.sourceline)
        else:
            report.add("not_bpmn", None, filename=name, line=root.sourceline, root=tag)
    return bpmn, dmn, forms


def _json_line(raw: bytes, key: str | None) -> int:
    """The line of a form file where `key` first appears as a JSON string (1 if nowhere)."""
    text = raw.decode("utf-8", errors="replace")
    position = text.find(f'"{key}"') if key else -1
    return text.count("\n", 0, position) + 1 if position >= 0 else 1


def _index(bpmn: list[Document], dmn: list[Document], report: Report, evaluator) -> BundleIndex:
    index = BundleIndex(evaluator=evaluator)
    for doc in bpmn:
        deployed = deployed_processes(doc)
        for process in bpmn_children(doc.root, "process"):
            key = process.get("id", "")
            if key in index.processes:
                report.add(
                    "duplicate_process",
                    doc,
                    process,
                    id=key,
                    other=index.processes[key][0].filename,
                )
                continue
            index.processes[key] = (doc, process, process in deployed)
    for doc in dmn:
        for decision in decisions(doc)[:1]:  # SpiffWorkflow reads the first decision only
            key = decision.get("id", "")
            if key in index.decisions:
                report.add(
                    "duplicate_decision",
                    doc,
                    decision,
                    id=key,
                    other=index.decisions[key][0].filename,
                )
                continue
            index.decisions[key] = (doc, decision)
    return index


def _unused_decisions(
    bpmn: list[Document], dmn: list[Document], own: Collection[str], report: Report
) -> None:
    """Refuse a decision no process uses, unless the application evaluates it itself (`own`)."""
    used = {
        camunda(task, "decisionRef")
        for doc in bpmn
        for task in doc.root.iter(f"{{{BPMN_NS}}}businessRuleTask")
    }
    names = sorted(own)
    own_en, own_zh = DMN_UNUSED_OWN if names else ("", "")
    evaluated = {
        "evaluated": own_en.format(decisions=", ".join(names)),
        "evaluated_zh": own_zh.format(decisions="、".join(names)),
    }
    for doc in dmn:
        for decision in decisions(doc)[:1]:
            if decision.get("id") not in used and decision.get("id") not in own:
                report.add(
                    "dmn_unused",
                    doc,
                    decision,
                    decision=label(decision),
                    **evaluated,
                )


def _check_decisions(
    index: BundleIndex, checks: Mapping[str, DecisionCheck], evaluator, report: Report
) -> None:
    """Compile each decision the application evaluates itself, and report what its check says."""
    for key, (doc, decision) in index.decisions.items():
        if key not in checks:
            continue
        try:
            table = compile_table(doc.filename, doc.text, evaluator)
        except DeployRejected as rejected:
            report.extend(rejected.problems)
            continue
        try:
            problems = checks[key](table)
        except DecisionError as err:  # a check that let the table's own failure through
            problems = [(err.message, err.message_zh)]
        for english, chinese in problems:
            report.add(
                "decision_check",
                doc,
                decision,
                decision=label(decision),
                key=key,
                detail=english,
                detail_zh=chinese,
            )


def _check_property_values(
    doc: Document, known: Mapping[str, Collection[str]], report: Report
) -> None:
    if not known:
        return
    for el in doc.by_id.values():
        for name, value in element_properties(el).items():
            if name in known and value not in known[name]:
                allowed = ", ".join(sorted(known[name]))
                report.add(
                    "property_value_unknown", doc, el, name=name, value=value, allowed=allowed
                )


def _process_bundle(
    key: str,
    doc: Document,
    spec: Any,
    subprocess_specs: dict[str, Any],
    index: BundleIndex,
    report: Report,
    role_keys: Collection[str] | None,
) -> ProcessBundle:
    process = doc.by_id[key]
    all_specs = [spec, *(s for s in subprocess_specs.values() if s is not None)]
    docs = {d.filename: d for d, _, _ in index.processes.values()}
    tasks = collect_tasks(all_specs, docs, report, role_keys)
    files = {s.file: docs[s.file].text for s in all_specs if s.file in docs}
    properties: dict[str, dict[str, str]] = {}
    for s in all_specs:
        for task_spec in s.task_specs.values():
            el = (
                docs[s.file].by_id.get(getattr(task_spec, "bpmn_id", None) or "")
                if s.file in docs
                else None
            )
            drawn = element_properties(el) if el is not None else {}
            if drawn:
                properties[task_spec.name] = drawn
            ref = camunda(el, "decisionRef") if el is not None else None
            if ref in index.decisions:
                dmn_doc = index.decisions[ref][0]
                files[dmn_doc.filename] = dmn_doc.text
    start_form = next(
        (
            camunda(start, "formKey") or camunda(start, "formRef")
            for start in bpmn_children(process, "startEvent")
            if not any(
                child.tag.endswith("EventDefinition")
                for child in start
                if isinstance(child.tag, str)
            )
        ),
        None,
    )
    starters = camunda(process, "candidateStarterGroups")
    form_keys = {t.form_key for t in tasks.values() if t.form_key} | (
        {start_form} if start_form else set()
    )
    return ProcessBundle(
        key=key,
        name=label(process),
        name_en=property_value(process, "name_en"),
        spec=spec,
        subprocess_specs=subprocess_specs,
        tasks=tasks,
        start_form_key=start_form or None,
        starter_roles=tuple(g.strip() for g in starters.split(",") if g.strip())
        if starters is not None
        else None,
        files=files,
        form_keys=frozenset(form_keys),
        properties=properties,
    )
