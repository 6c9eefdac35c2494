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


def test_the_secrets_migration_seals_existing_messages_and_can_go_back(
    empty_database: str,
) -> None:
    from uuid import UUID

    from app.core import sealing

    config = _alembic(empty_database)
    engine = config.attributes["connection"]
    command.upgrade(config, "0010")
    link = "https://www.serenaia-beaute.fr/mot-de-passe/nouveau?token=Xk3v9QmR7tYp2LwN8sDf4G"
    message_id = UUID("0193a3c4-1111-7000-8000-000000000001")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO messages (id, channel, kind, template, recipient, subject, body_text, "
            "body_html, meta, status, attempts, next_attempt_at, created_at) VALUES "
            "(%s, 'email', 'service', 'password_reset', 'owner@example.fr', 'Réinitialisation', "
            "%s, %s, '{}', 'queued', 0, now(), now())",
            (message_id, f"Cliquez : {link}", f'<a href="{link}">ici</a>'),
        )
    command.upgrade(config, "0011")
    with engine.connect() as connection:
        preview, sealed = connection.exec_driver_sql(
            "SELECT body_text, sealed_content FROM messages"
        ).one()
    opened = sealing.unseal_json("message-content", sealed, bound_to=message_id.bytes)

    assert preview == "Cliquez : https://www.serenaia-beaute.fr/[lien masqué]"
    assert opened["text"] == f"Cliquez : {link}"
    assert link in opened["html"]

    command.downgrade(config, "0010")
    with engine.connect() as connection:
        restored = connection.exec_driver_sql("SELECT body_text, body_html FROM messages").one()
    assert restored == (f"Cliquez : {link}", f'<a href="{link}">ici</a>')
    engine.dispose()


def test_pending_outbox_rows_keep_their_handler_across_the_renaming(empty_database: str) -> None:
    """Rows written under a handler's old module-path id are renamed to its stable name, so
    they are still handled after the upgrade, and renamed back on a downgrade."""
    import importlib.util

    from app import registry
    from app.core import outbox

    config = _alembic(empty_database)
    engine = config.attributes["connection"]
    command.upgrade(config, "0019")
    old = "app.notifications.handlers.on_confirmed"
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO outbox_events (id, topic, subscriber, payload, available_at, created_at)"
            " VALUES (gen_random_uuid(), 'bookings.confirmed', %s, '{}', now(), now())",
            (old,),
        )
    subscriber = "SELECT subscriber FROM outbox_events"

    command.upgrade(config, "0023")
    with engine.connect() as connection:
        assert connection.exec_driver_sql(subscriber).scalar() == "notifications.booking_confirmed"
    command.downgrade(config, "0019")
    with engine.connect() as connection:
        assert connection.exec_driver_sql(subscriber).scalar() == old
    engine.dispose()

    # Every handler that existed under a derived id is renamed to a name that is registered.
    path = "alembic/versions/2026_12_01_0023-0023_outbox_subscriber_names.py"
    spec = importlib.util.spec_from_file_location("renaming", path)
    assert spec is not None
    assert spec.loader is not None
    renaming = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(renaming)
    registry.load_all()
    assert set(renaming.RENAMED.values()) <= set(outbox.subscriber_names())
