"""`flask` commands: set up the database, deploy the shipped diagrams, load the demo."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from engine.bundle import DeployRejected
from engine.errors import EngineError
from engine.runtime import SYSTEM
from workflows.demo import is_empty, load_demo
from workflows.demo_cases import has_cases, load_demo_cases
from workflows.runtime import get_engine

from .extensions import db

demo = AppGroup("demo", help="The demo organisation.")
diagrams = AppGroup("diagrams", help="The shipped BPMN/DMN diagrams and forms.")


def shipped_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for folder, patterns in (
        (current_app.config["DIAGRAMS_DIR"], ("*.bpmn", "*.dmn")),
        (current_app.config["FORMS_DIR"], ("*.form",)),
    ):
        for pattern in patterns:
            for path in sorted(Path(folder).glob(pattern)):
                files[path.name] = path.read_bytes()
    return files


def deploy_shipped() -> list:
    """The shipped diagrams, forms and tables, where they changed since they were last shipped:
    what someone deployed in the app since stays current (engine.definitions.deploy)."""
    deployed = get_engine().deploy(db.session, shipped_files(), SYSTEM, keep_edits=True)
    db.session.commit()
    return deployed


@diagrams.command("deploy")
def deploy_command():
    """Deploy diagrams/ and forms/ (a new version only where a shipped file changed)."""
    try:
        for item in deploy_shipped():
            state = "new version" if item.created else "unchanged"
            kind = "decision " if item.kind == "decision" else ""
            click.echo(f"{kind}{item.definition.key} v{item.definition.version} ({state})")
    except DeployRejected as exc:
        for p in exc.problems:
            click.echo(
                f"{p.file}:{p.line or '?'}: {p.element_name or p.element_id or ''}: {p.message}",
                err=True,
            )
        raise SystemExit(1) from exc


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def load_command(if_empty: bool):
    """Create the demo users (password `demo`), records, and a few cases."""
    if if_empty and not is_empty(db.session):
        click.echo("database already has users; demo not loaded")
        return
    created = load_demo(db.session)
    db.session.commit()
    click.echo(f"{created} demo users created")
    if has_cases(db.session):
        return
    try:
        started = load_demo_cases(db.session)
    except EngineError as exc:  # diagrams not deployed yet: the demo still has its people
        db.session.rollback()
        click.echo(f"demo cases not started: {exc}", err=True)
        return
    db.session.commit()
    click.echo(f"{started} demo cases started")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(diagrams)
