"""Migrations run synchronously over psycopg on the database named by DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool, text

from app import registry
from app.core.db import Base, UTCDateTime, database_url

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

registry.load_all()
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context: Any) -> str | bool:
    """Write our column types as plain SQLAlchemy ones, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=database_url().render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = create_engine(database_url(), poolclass=pool.NullPool)
    with connectable.connect() if hasattr(connectable, "connect") else connectable as connection:
        # Fail fast instead of queueing behind a long transaction and blocking every query.
        connection.execute(text("SET lock_timeout = '5s'"))
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            render_item=render_item,
            # The CLI's `migrate` names each migration it applies.
            on_version_apply=config.attributes.get("on_version_apply"),
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
