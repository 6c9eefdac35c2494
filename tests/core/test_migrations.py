from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, make_url

from app.core.db import database_url


@pytest.fixture
def empty_database() -> Iterator[str]:
    admin = make_url(os.environ["DATABASE_URL"]).set(database="postgres")
    name = f"salon_migrations_{secrets.token_hex(4)}"
    admin_dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alembic(url: str) -> Config:
    config = Config("alembic.ini")
    config.attributes["configure_logger"] = False
    config.attributes["connection"] = create_engine(database_url(url))
    return config


def test_migrations_build_the_schema_from_empty_and_go_down_again(empty_database: str) -> None:
    config = _alembic(empty_database)
    engine = config.attributes["connection"]

    command.upgrade(config, "head")
    tables = set(inspect(engine).get_table_names())
    assert {"users", "refresh_tokens", "audit_log", "idempotency_keys", "outbox_events"} <= tables
    with engine.connect() as connection:
        extensions = {
            row[0] for row in connection.exec_driver_sql("SELECT extname FROM pg_extension")
        }
    assert {"btree_gist", "pg_trgm", "unaccent"} <= extensions

    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}

    command.upgrade(config, "head")  # and up again, so downgrades leave nothing behind
    engine.dispose()


def test_models_and_migrations_agree(empty_database: str) -> None:
    config = _alembic(empty_database)
    command.upgrade(config, "head")
    command.check(config)  # raises if autogenerate would find a difference
    config.attributes["connection"].dispose()


def test_a_plain_postgresql_url_gets_our_driver() -> None:
    url = database_url("postgresql://salon:pw@db.example:5432/salon")
    assert url.drivername == "postgresql+psycopg"
    assert database_url("postgres://u@h/d").drivername == "postgresql+psycopg"
