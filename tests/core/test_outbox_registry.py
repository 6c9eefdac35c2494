"""The outbox registry: every topic declares its payload model, every handler a stable name
of its own, every topic the application publishes has a subscriber, and payloads are
checked against their model when written and handed typed to handlers."""

from __future__ import annotations

import importlib
from typing import Any

import pydantic
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import registry
from app.core import outbox
from app.core.db import unit_of_work
from app.core.outbox import OutboxEvent


def declared_topics() -> dict[str, outbox.Topic[Any]]:
    """Every module-level TOPIC_* of the application, as found by walking it."""
    registry.load_all()
    found: dict[str, Any] = {}
    for name in registry.modules():
        for attribute, value in vars(importlib.import_module(name)).items():
            if attribute.startswith("TOPIC_"):
                found[f"{name}.{attribute}"] = value
    return found


def test_every_topic_of_the_application_declares_a_payload_model() -> None:
    topics = declared_topics()
    assert len(topics) >= 11
    untyped = [where for where, t in topics.items() if not isinstance(t, outbox.Topic)]
    assert untyped == []
    assert all(issubclass(t.payload, outbox.Payload) for t in topics.values())


def test_every_topic_the_application_publishes_has_a_subscriber() -> None:
    lonely = [where for where, t in declared_topics().items() if not outbox.subscribers(t)]
    assert lonely == []


def test_subscriber_names_are_explicit_and_not_module_paths() -> None:
    registry.load_all()
    names = outbox.subscriber_names()
    assert "notifications.booking_confirmed" in names
    assert not [n for n in names if n.startswith("app.")]


def test_a_topic_without_a_payload_model_is_refused() -> None:
    with pytest.raises(TypeError, match="payload"):
        outbox.Topic("test.untyped", dict)  # type: ignore[type-var]


async def test_a_plain_string_topic_is_refused(session: AsyncSession) -> None:
    with pytest.raises(TypeError, match="Topic"):
        outbox.handles("test.string", name="tests.string")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Topic"):
        await outbox.enqueue(session, "bookings.confirmed", {})  # type: ignore[arg-type]


class Ping(outbox.Payload):
    n: int


PING = outbox.Topic("test.ping", Ping)
received: list[Ping] = []


@outbox.handles(PING, name="tests.ping")
async def _on_ping(_: AsyncSession, payload: Ping) -> None:
    received.append(payload)


def test_two_handlers_cannot_share_a_name() -> None:
    async def other(_: AsyncSession, payload: Ping) -> None:
        return None

    with pytest.raises(ValueError, match=r"tests\.ping"):
        outbox.handles(PING, name="tests.ping")(other)


def test_one_name_declared_with_two_payload_models_is_refused() -> None:
    class Other(outbox.Payload):
        m: int

    with pytest.raises(ValueError, match="twice"):
        outbox.Topic("test.ping", Other)


async def test_a_payload_that_does_not_fit_its_model_is_refused_and_writes_nothing(
    session: AsyncSession,
) -> None:
    async with unit_of_work() as tx:
        for wrong in ({"n": "many"}, {"n": 1, "extra": True}, {}):
            with pytest.raises(pydantic.ValidationError):
                await outbox.enqueue(tx, PING, wrong)
    assert await session.scalar(select(OutboxEvent.id)) is None


async def test_the_handler_receives_the_model_under_its_stable_name(
    session: AsyncSession,
) -> None:
    received.clear()
    async with unit_of_work() as tx:
        await outbox.enqueue(tx, PING, Ping(n=3))
    row = await session.scalar(select(OutboxEvent))
    await session.commit()

    assert await outbox.dispatch_due() == 1
    assert row is not None
    assert (row.topic, row.subscriber, row.payload) == ("test.ping", "tests.ping", {"n": 3})
    assert received == [Ping(n=3)]
