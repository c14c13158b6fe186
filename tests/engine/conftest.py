"""Engine fixtures without Flask: a SQLAlchemy session on a fresh database and an Engine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import sessionmaker

from engine.models import Base, sqlite_pragmas
from engine.runtime import Actor, Engine
from workflows.appraisal.grades import GRADE_DECISION, check_table

ROOT = Path(__file__).resolve().parents[2]


# decision tables the application evaluates itself, with the checks it deploys them with
DECISION_CHECKS = {GRADE_DECISION: check_table}


def shipped_files(*, own_decisions: bool = False) -> dict[str, bytes]:
    """The shipped diagrams and forms; the application's own decision tables only when asked
    (without DECISION_CHECKS a deploy refuses them: no process uses them)."""
    own = {f"{key}.dmn" for key in DECISION_CHECKS} if not own_decisions else set()
    files = {
        p.name: p.read_bytes()
        for pattern in ("*.bpmn", "*.dmn")
        for p in (ROOT / "diagrams").glob(pattern)
        if p.name not in own
    }
    files.update({p.name: p.read_bytes() for p in (ROOT / "forms").glob("*.form")})
    return files


@pytest.fixture(scope="session")
def sql_engine(tmp_path_factory):
    url = os.environ.get("DATABASE_URL")
    if url:
        url = (
            url.replace("postgresql://", "postgresql+psycopg://", 1)
            if "+psycopg" not in url
            else url
        )
        setup = create_engine(url)
        with setup.begin() as conn:
            conn.execute(
                text("DROP SCHEMA IF EXISTS engine_tests CASCADE; CREATE SCHEMA engine_tests")
            )
        setup.dispose()
        engine = create_engine(url, connect_args={"options": "-csearch_path=engine_tests"})
    else:
        engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('engine') / 'engine.sqlite'}")
        event.listen(engine, "connect", sqlite_pragmas)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def bpmn_engine() -> Engine:
    # the shipped diagrams hold a decision table the application evaluates itself
    return Engine(decision_checks=DECISION_CHECKS)


@pytest.fixture
def session(sql_engine):
    factory = sessionmaker(sql_engine, expire_on_commit=False)
    with factory() as session:
        yield session
        session.rollback()


@pytest.fixture(scope="session")
def deployed(sql_engine, bpmn_engine):
    factory = sessionmaker(sql_engine)
    with factory() as session:
        result = bpmn_engine.deploy(
            session, shipped_files(own_decisions=True), Actor("owner", frozenset({"process_owner"}))
        )
        session.commit()
        return {d.definition.key: d.definition.id for d in result if d.kind == "process"}
