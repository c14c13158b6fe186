"""Engine fixtures without Flask: a SQLAlchemy session on a fresh database and an Engine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import sessionmaker

from engine.models import Base, sqlite_pragmas
from engine.runtime import Actor, Engine

ROOT = Path(__file__).resolve().parents[2]


def shipped_files() -> dict[str, bytes]:
    files = {
        p.name: p.read_bytes()
        for pattern in ("*.bpmn", "*.dmn")
        for p in (ROOT / "diagrams").glob(pattern)
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
    return Engine()


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
            session, shipped_files(), Actor("owner", frozenset({"process_owner"}))
        )
        session.commit()
        return {d.definition.key: d.definition.id for d in result}
