"""Payments for any subject (`app/core/payables.py`): the same routes and functions pay a
booking or a gift card being bought, by card reader, in cash, with another gift card, split
across several tenders, and refund it; tips go to whoever served a subject that has
practitioners; one balance answers for any subject; an unknown kind is a clear error."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse
from uuid import UUID

import pytest
from httpx import AsyncClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.giftcards.models import GiftCard
from app.payments.models import Payment, Tip
from tests.bookings.salon import book_by_staff, facial_with_camille, paris
from tests.builders import AuthHeaders, sell_gift_card
from tests.fakes.server import FakeProviders
from tests.payments.helpers import count, payment, run_outbox
from tests.payments.test_salon import pair

NINE = "2027-03-22T09:00:00+01:00"
BOOKING = "0193a3c4-1111-7000-8000-000000000001"


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def in_person(client: AsyncClient, desk: dict[str, str], **body: Any) -> Any:
    return await client.post("/api/v1/payments/in-person", json=body, headers=desk)


async def subject_balance(
    client: AsyncClient, desk: dict[str, str], kind: str, subject_id: str
) -> dict[str, Any]:
    answer = await client.get(
        "/api/v1/payments/balance",
        params={"subject_kind": kind, "subject_id": subject_id},
        headers=desk,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_a_booking_named_as_a_subject_takes_a_tip_for_whoever_served(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    facial, camille = await facial_with_camille()
    booking = await book_by_staff(client, desk, [facial], NINE)

    taken = await in_person(
        client,
        desk,
        subject_kind="booking",
        subject_id=booking["id"],
        method="cash",
        tip_cents=700,
    )

    assert taken.status_code == 201, taken.text
    assert (taken.json()["amount_cents"], taken.json()["tip_cents"]) == (6000, 700)
    assert (taken.json()["subject_kind"], taken.json()["booking_id"]) == ("booking", booking["id"])
    tips = (await session.scalars(select(Tip))).all()
    assert [(t.practitioner_id, t.amount_cents) for t in tips] == [(camille, 700)]
    generic = await subject_balance(client, desk, "booking", booking["id"])
    legacy = await client.get(f"/api/v1/bookings/{booking['id']}/balance", headers=desk)
    assert {k: v for k, v in generic.items() if k.endswith("_cents")} == {
        k: v for k, v in legacy.json().items() if k.endswith("_cents")
    }
    assert (generic["paid_cents"], generic["due_cents"], generic["tips_cents"]) == (6000, 0, 700)


async def test_the_subject_is_named_one_way_only(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, desk, [facial], NINE)

    both = await in_person(
        client, desk, booking_id=booking["id"], subject_id=booking["id"], method="cash"
    )
    neither = await in_person(client, desk, method="cash")
    mixed = await in_person(
        client, desk, booking_id=booking["id"], subject_kind="gift_card", method="cash"
    )

    assert [r.status_code for r in (both, neither, mixed)] == [422, 422, 422]
    assert {r.json()["code"] for r in (both, neither, mixed)} == {"validation_error"}
    assert await count(session, Payment) == 0


async def test_the_till_redeem_names_its_subject_one_way_only(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    paying = (await sell_gift_card(client, desk, 3000)).json()
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, desk, [facial], NINE)
    before = await count(session, Payment)

    both = {"booking_id": booking["id"], "subject_id": booking["id"]}
    mixed = {"booking_id": booking["id"], "subject_kind": "gift_card"}
    answers = [
        await client.post(
            "/api/v1/gift-cards/redeem", json={"code": paying["code"]} | body, headers=desk
        )
        for body in (both, {}, mixed)
    ]

    assert [r.status_code for r in answers] == [422, 422, 422]
    assert {r.json()["code"] for r in answers} == {"validation_error"}
    assert await count(session, Payment) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"booking_id": BOOKING, "subject_id": BOOKING}, "not both"),
        ({}, "not both"),
        ({"booking_id": BOOKING, "subject_kind": "gift_card"}, "`booking_id` names a booking"),
    ],
)
def test_the_till_and_the_card_redeem_share_one_subject_rule(
    body: dict[str, str], message: str
) -> None:
    from app.giftcards.schemas import RedeemIn
    from app.payments.public import NamesSubject
    from app.payments.schemas import InPersonIn

    errors = []
    for model, extra in ((InPersonIn, {"method": "cash"}), (RedeemIn, {"code": "K7PQ"})):
        assert issubclass(model, NamesSubject)
        with pytest.raises(ValidationError) as refused:
            model.model_validate(body | extra)
        errors.append([e["msg"] for e in refused.value.errors()])

    assert errors[0] == errors[1]
    assert message in errors[0][0]


def test_a_subject_is_read_the_same_from_either_request() -> None:
    from app.giftcards.schemas import RedeemIn
    from app.payments.schemas import InPersonIn

    for model, extra in ((InPersonIn, {"method": "cash"}), (RedeemIn, {"code": "K7PQ"})):
        by_booking = model.model_validate({"booking_id": BOOKING} | extra)
        by_subject = model.model_validate(
            {"subject_kind": "gift_card", "subject_id": BOOKING} | extra
        )
        kind_left_out = model.model_validate({"subject_id": BOOKING} | extra)
        assert by_booking.subject() == ("booking", UUID(BOOKING))
        assert by_subject.subject() == ("gift_card", UUID(BOOKING))
        assert kind_left_out.subject() == ("booking", UUID(BOOKING))


async def test_an_unknown_subject_kind_is_a_problem_and_changes_nothing(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, desk, [facial], NINE)

    taken = await in_person(
        client, desk, subject_kind="spaceship", subject_id=booking["id"], method="cash"
    )
    balance = await client.get(
        "/api/v1/payments/balance",
        params={"subject_kind": "spaceship", "subject_id": booking["id"]},
        headers=desk,
    )

    for answer in (taken, balance):
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "unknown_subject_kind"
        assert answer.json()["subject_kind"] == "spaceship"
    assert await count(session, Payment) == 0


def _reader_callback(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


async def sell_unpaid(client: AsyncClient, desk: dict[str, str], amount_cents: int) -> str:
    """A card sold at the desk with no method yet: pending, to be paid through payments."""
    sold = await client.post(
        "/api/v1/gift-cards/in-salon",
        json={"amount_cents": amount_cents, "buyer": {"name": "Inès"}, "recipient_name": "Léa"},
        headers=desk,
    )
    assert sold.status_code == 201, sold.text
    assert sold.json()["gift_card"]["status"] == "pending_payment"
    return str(sold.json()["gift_card"]["id"])


async def card(client: AsyncClient, desk: dict[str, str], card_id: str) -> dict[str, Any]:
    return dict((await client.get(f"/api/v1/gift-cards/{card_id}", headers=desk)).json())


async def test_a_gift_card_is_paid_on_the_card_reader_like_a_booking(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, desk: dict[str, str]
) -> None:
    card_id = await sell_unpaid(client, desk, 5000)
    reader_id = await pair(client, desk)
    reader = {"subject_kind": "gift_card", "subject_id": card_id, "reader_id": reader_id}

    tipped = await in_person(client, desk, method="sumup_terminal", tip_cents=500, **reader)
    started = await in_person(client, desk, method="sumup_terminal", **reader)
    on_the_reader = await subject_balance(client, desk, "gift_card", card_id)
    return_url, body = fakes.sumup.finish(started.json()["provider_ref"], "successful")
    answer = await client.post(_reader_callback(return_url), json=body)
    issued = await card(client, desk, card_id)
    after = await subject_balance(client, desk, "gift_card", card_id)

    assert (tipped.status_code, tipped.json()["code"]) == (422, "tip_not_allowed")
    assert started.status_code == 201, started.text
    assert (started.json()["status"], started.json()["amount_cents"]) == ("pending", 5000)
    assert (on_the_reader["in_progress_cents"], on_the_reader["due_cents"]) == (5000, 0)
    assert answer.json()["outcome"] == "applied"
    assert (issued["status"], issued["balance_cents"]) == ("active", 5000)
    assert [(e["kind"], e["payment_id"]) for e in issued["ledger"]] == [
        ("issue", started.json()["id"])
    ]
    assert (after["paid_cents"], after["due_cents"], after["kept_cents"]) == (5000, 0, 5000)
    [sent] = [r for r in fakes.sumup.requests if r[1].endswith("/checkout")]
    assert sent[2]["total_amount"]["value"] == 5000
    assert (await session.get(GiftCard, card_id)).pdf_key  # type: ignore[union-attr]


async def test_a_gift_card_paid_in_two_tenders_then_refunded_tender_by_tender(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    paying = (await sell_gift_card(client, desk, 3000)).json()
    paying_id = paying["gift_card"]["id"]
    bought_id = await sell_unpaid(client, desk, 5000)
    subject = {"subject_kind": "gift_card", "subject_id": bought_id}

    part = await client.post(
        "/api/v1/gift-cards/redeem", json={"code": paying["code"]} | subject, headers=desk
    )
    await run_outbox()  # payments.taken reaches giftcards.activate_on_payment_taken: harmless
    halfway = await subject_balance(client, desk, "gift_card", bought_id)
    still_pending = await card(client, desk, bought_id)
    too_much = await in_person(client, desk, method="cash", amount_cents=2001, **subject)
    rest = await in_person(client, desk, method="cash", **subject)
    paid = await subject_balance(client, desk, "gift_card", bought_id)
    issued = await card(client, desk, bought_id)

    assert part.status_code == 200, part.text
    assert (part.json()["redeemed_cents"], part.json()["balance_cents"]) == (3000, 0)
    assert (halfway["paid_cents"], halfway["due_cents"]) == (3000, 2000)
    assert still_pending["status"] == "pending_payment"
    assert (too_much.status_code, too_much.json()["code"]) == (422, "amount_exceeds_balance")
    assert rest.json()["amount_cents"] == 2000
    assert (paid["paid_cents"], paid["due_cents"]) == (5000, 0)
    assert (issued["status"], issued["balance_cents"]) == ("active", 5000)
    tender = await payment(session, part.json()["payment_id"])
    assert (tender.method, str(tender.gift_card_id), tender.provider_ref) == (
        "gift_card",
        paying_id,
        None,
    )

    back_on_card = await client.post(
        f"/api/v1/payments/{part.json()['payment_id']}/refunds",
        json={"reason": "Carte offerte par erreur"},
        headers=desk,
    )
    await run_outbox()
    paying_after = await card(client, desk, paying_id)
    bought_after = await card(client, desk, bought_id)
    cash_back = await client.post(
        f"/api/v1/payments/{rest.json()['id']}/refunds", json={"reason": "Annulée"}, headers=desk
    )
    bought_last = await card(client, desk, bought_id)

    assert back_on_card.status_code == 201, back_on_card.text
    assert back_on_card.json()["amount_cents"] == 3000
    assert paying_after["balance_cents"] == 3000  # the tender went back onto the card that paid
    assert [e["kind"] for e in paying_after["ledger"]] == ["issue", "redeem", "refund"]
    assert (bought_after["status"], bought_after["balance_cents"]) == ("active", 2000)
    assert cash_back.json()["amount_cents"] == 2000
    assert (bought_last["status"], bought_last["balance_cents"]) == ("cancelled", 0)
    assert [e["kind"] for e in bought_last["ledger"]] == ["issue", "cancel", "cancel"]


async def test_the_balance_of_a_gift_card_being_bought(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    card_id = await sell_unpaid(client, desk, 4500)

    due = await subject_balance(client, desk, "gift_card", card_id)

    assert due == {
        "subject_kind": "gift_card",
        "subject_id": card_id,
        "total_cents": 4500,
        "deposit_cents": 0,
        "paid_cents": 0,
        "in_progress_cents": 0,
        "due_cents": 4500,
        "tips_cents": 0,
        "refunded_cents": 0,
        "kept_cents": 0,
    }


async def test_a_desk_sale_on_the_card_reader_issues_the_card_when_the_reader_reports(
    client: AsyncClient, fakes: FakeProviders, desk: dict[str, str]
) -> None:
    reader_id = await pair(client, desk)

    sold = await client.post(
        "/api/v1/gift-cards/in-salon",
        json={
            "amount_cents": 4000,
            "buyer": {"name": "Inès"},
            "recipient_name": "Léa",
            "method": "sumup_terminal",
            "reader_id": reader_id,
        },
        headers=desk,
    )
    card_id = sold.json()["gift_card"]["id"]
    [on_the_reader] = fakes.sumup.checkouts.values()
    return_url, body = fakes.sumup.finish(on_the_reader["client_transaction_id"], "successful")
    await client.post(_reader_callback(return_url), json=body)
    issued = await card(client, desk, card_id)

    assert sold.status_code == 201, sold.text
    assert (sold.json()["gift_card"]["status"], sold.json()["gift_card"]["balance_cents"]) == (
        "pending_payment",
        0,
    )
    assert (issued["status"], issued["balance_cents"]) == ("active", 4000)
