"""Deploying process definitions and decision tables as versions, and finding them again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import load_form

from .audit import record
from .bundle import DecisionSource, ProcessBundle, parse_bundle
from .decisions import DecisionCheck, latest_decision
from .errors import NotFound
from .models import DecisionDefinition, FormRecord, ProcessDefinition
from .serialization import StateSerializer


@dataclass(frozen=True)
class Deployed:
    definition: ProcessDefinition | DecisionDefinition
    created: bool  # False when an identical version already existed
    kind: str = "process"  # or "decision" (then `definition` is a DecisionDefinition)


def _checksum(files: Mapping[str, str], forms: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    for key in sorted(forms):
        digest.update(key.encode() + b"\0" + forms[key].encode() + b"\0")
    return digest.hexdigest()


def latest_forms(session: Session) -> dict[str, str]:
    """Source of the newest deployed version of every form, by key."""
    newest = (
        select(FormRecord.key, func.max(FormRecord.id).label("id"))
        .group_by(FormRecord.key)
        .subquery()
    )
    rows = session.execute(select(FormRecord).join(newest, FormRecord.id == newest.c.id)).scalars()
    return {row.key: row.source for row in rows}


def deploy(
    session: Session,
    files: Mapping[str, bytes],
    *,
    evaluator,
    serializer: StateSerializer,
    actor: str | None,
    role_keys: Collection[str] | None = None,
    property_values: Mapping[str, Collection[str]] | None = None,
    decision_checks: Mapping[str, DecisionCheck] | None = None,
    keep_edits: bool = False,
) -> list[Deployed]:
    """Deploy every executable process and every decision in `files` as a new version where it
    changed, or nothing (raises DeployRejected); the processes come first, then the decisions.

    With `keep_edits` (the shipped diagrams at start-up), a process or decision identical to
    any version deployed before is not deployed again: a version someone deployed since (a
    process owner's upload, HR's grade bounds) stays the current one until the shipped file
    itself changes."""
    files = _with_dependents(session, files)
    stored_forms = latest_forms(session)
    known = {key: load_form(src, f"{key}.form") for key, src in stored_forms.items()}
    bundle = parse_bundle(
        files,
        evaluator=evaluator,
        known_forms=known,
        role_keys=role_keys,
        property_values=property_values,
        decision_checks=decision_checks,
    )

    form_sources = dict(stored_forms)
    for key, form in bundle.forms.items():
        source = json.dumps(form.raw, ensure_ascii=False, sort_keys=True)
        checksum = hashlib.sha256(source.encode()).hexdigest()
        if stored_forms.get(key) == source:
            continue
        earlier = _same_version(session, FormRecord, key, checksum)
        if earlier is not None:
            if keep_edits:
                continue  # deployed before and changed since: the newer form stays
            # an older form deployed again becomes the newest (one row per key and source)
            session.delete(earlier)
            session.flush()
        session.add(FormRecord(key=key, source=source, checksum=checksum))
        form_sources[key] = source

    results = [
        _store_process(session, process, form_sources, serializer, actor, keep_edits)
        for process in bundle.processes
    ]
    results += [
        _store_decision(session, decision, actor, keep_edits) for decision in bundle.decisions
    ]
    session.flush()
    return results


def _with_dependents(session: Session, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Add the stored sources of processes that use an uploaded file or form.

    Uploading only `route_request.dmn` or a form must give the processes that use it a new
    version; their other files come from their latest version.
    """
    files = dict(files)
    form_keys = set()
    for name, raw in files.items():
        if name.endswith(".form"):
            # a broken file is reported by parse_bundle
            with suppress(ValueError, AttributeError):
                form_keys.add(json.loads(raw).get("id"))
    for definition in latest_definitions(session):
        if set(files) & set(definition.source_files) or form_keys & set(definition.forms):
            for name, text in definition.source_files.items():
                files.setdefault(name, text.encode())
    return files


def _store_process(
    session: Session,
    process: ProcessBundle,
    form_sources: Mapping[str, str],
    serializer: StateSerializer,
    actor: str | None,
    keep_edits: bool = False,
) -> Deployed:
    forms = {key: form_sources[key] for key in sorted(process.form_keys) if key in form_sources}
    checksum = _checksum(process.files, forms)
    latest = latest_definition(session, process.key)
    if latest is not None and latest.checksum == checksum:
        return Deployed(latest, created=False)
    earlier = keep_edits and _same_version(session, ProcessDefinition, process.key, checksum)
    if earlier:
        return Deployed(earlier, created=False)
    definition = ProcessDefinition(
        key=process.key,
        version=(latest.version + 1) if latest else 1,
        name=process.name,
        name_en=process.name_en,
        checksum=checksum,
        source_files=dict(process.files),
        spec_json=serializer.dump_spec(process.spec, process.subprocess_specs),
        task_meta={name: _meta_dict(meta) for name, meta in process.tasks.items()},
        element_properties=process.properties,
        forms={key: json.loads(src) for key, src in forms.items()},
        start_form_key=process.start_form_key,
        starter_roles=list(process.starter_roles) if process.starter_roles is not None else None,
        deployed_by=actor,
    )
    session.add(definition)
    session.flush()
    record(session, "deploy", actor, payload={"key": definition.key, "version": definition.version})
    return Deployed(definition, created=True)


def _same_version(session: Session, model, key: str, checksum: str):
    """The newest stored version of `key` with this checksum, if any."""
    return session.scalars(
        select(model)
        .where(model.key == key, model.checksum == checksum)
        .order_by(model.id.desc())
        .limit(1)
    ).first()


def _store_decision(
    session: Session, decision: DecisionSource, actor: str | None, keep_edits: bool = False
) -> Deployed:
    checksum = hashlib.sha256(decision.text.encode()).hexdigest()
    latest = latest_decision(session, decision.key)
    if latest is not None and latest.checksum == checksum:
        return Deployed(latest, created=False, kind="decision")
    earlier = keep_edits and _same_version(session, DecisionDefinition, decision.key, checksum)
    if earlier:
        return Deployed(earlier, created=False, kind="decision")
    definition = DecisionDefinition(
        key=decision.key,
        version=(latest.version + 1) if latest else 1,
        name=decision.name,
        checksum=checksum,
        filename=decision.filename,
        source=decision.text,
        deployed_by=actor,
    )
    session.add(definition)
    session.flush()
    record(
        session,
        "deploy",
        actor,
        payload={"key": definition.key, "version": definition.version, "kind": "decision"},
    )
    return Deployed(definition, created=True, kind="decision")


def _meta_dict(meta) -> dict:
    return {
        "name": meta.name,
        "name_en": meta.name_en,
        "form_key": meta.form_key,
        "roles": list(meta.roles),
        "assignee": meta.assignee,
        "assignee_expr": meta.assignee_expr,
        "lane": meta.lane,
    }


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    return session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    ).first()


def get_latest_or_404(session: Session, key: str) -> ProcessDefinition:
    definition = latest_definition(session, key)
    if definition is None:
        raise NotFound(f"There is no process '{key}'.", f"没有名为“{key}”的流程。")
    return definition


def latest_definitions(session: Session) -> list[ProcessDefinition]:
    newest = (
        select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.key)
        .subquery()
    )
    return list(
        session.scalars(
            select(ProcessDefinition)
            .join(
                newest,
                (ProcessDefinition.key == newest.c.key)
                & (ProcessDefinition.version == newest.c.version),
            )
            .order_by(ProcessDefinition.key)
        )
    )
