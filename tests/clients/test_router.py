"""The client record through the API, on the real database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuditLogEntry, Role
from app.bookings.models import Booking
from app.clients.models import Client
from app.clients.tasks import flag_inactive_clients
from app.core import clock
from app.core.db import Base
from app.notifications.models import Message
from app.payments.models import Payment
from tests.bookings.salon import book_by_staff, make_practitioner, make_service, open_salon, paris
from tests.builders import AuthHeaders, deliver_messages, login, make_user, sign_up, verify_email

HELENE = {
    "first_name": "Hélène",
    "last_name": "Dupont",
    "email": "helene.dupont@example.fr",
    "phone": "06 12 34 56 78",
    "birthday": "1988-04-12",
    "tags": ["fidèle"],
    "address": "3 place Bellecour, 69002 Lyon",
}


async def make(client: AsyncClient, headers: dict[str, str], **fields: Any) -> Any:
    response = await client.post("/api/v1/clients", json=HELENE | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(autouse=True)
def _pinned() -> None:
    """Before any token is issued: tokens follow the clock."""
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def front_desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def test_a_client_record_is_normalised(
    client: AsyncClient, front_desk: dict[str, str]
) -> None:
    created = await make(client, front_desk, email="Helene.Dupont@Example.FR")

    assert created["email"] == "helene.dupont@example.fr"
    assert created["phone"] == "+33612345678"
    assert created["consents"] == {
        "email_marketing": False,
        "sms_marketing": False,
        "photos": False,
    }
    duplicate = await client.post(
        "/api/v1/clients", json=HELENE | {"phone": None}, headers=front_desk
    )
    assert duplicate.json()["code"] == "client_email_taken"
    bad_phone = await client.post(
        "/api/v1/clients",
        json=HELENE | {"email": "x@example.fr", "phone": "12"},
        headers=front_desk,
    )
    assert bad_phone.json()["code"] == "invalid_phone"


@pytest.mark.parametrize(
    "query",
    ["helene", "HÉLÈNE", "dupon", "+33 6 12", "06 12 34", "Helen", "Dupomt", "helene.dupont@exa"],
)
async def test_search_finds_helene_dupont(
    client: AsyncClient, front_desk: dict[str, str], query: str
) -> None:
    target = await make(client, front_desk)
    await make(
        client,
        front_desk,
        first_name="Marc",
        last_name="Lefèvre",
        email="marc@example.fr",
        phone="07 98 76 54 32",
    )

    response = await client.get("/api/v1/clients/search", params={"q": query}, headers=front_desk)

    assert response.status_code == 200
    assert [hit["id"] for hit in response.json()["items"]][:1] == [target["id"]]
    assert all(hit["last_name"] != "Lefèvre" for hit in response.json()["items"])


async def test_consents_are_a_ledger_and_the_latest_row_wins(
    client: AsyncClient, front_desk: dict[str, str]
) -> None:
    helene = await make(client, front_desk)
    url = f"/api/v1/clients/{helene['id']}/consents"

    await client.post(
        url,
        json={"channel": "sms_marketing", "granted": True, "source": "in_salon"},
        headers=front_desk,
    )
    clock.travel(timedelta(seconds=1))
    await client.post(
        url,
        json={"channel": "sms_marketing", "granted": False, "source": "link"},
        headers=front_desk,
    )
    await client.post(
        url,
        json={"channel": "email_marketing", "granted": True, "source": "online_form"},
        headers=front_desk,
    )

    record = await client.get(f"/api/v1/clients/{helene['id']}", headers=front_desk)
    ledger = await client.get(url, headers=front_desk)
    assert record.json()["consents"] == {
        "email_marketing": True,
        "sms_marketing": False,
        "photos": False,
    }
    assert [(c["channel"], c["granted"]) for c in ledger.json()["items"]] == [
        ("sms_marketing", True),
        ("sms_marketing", False),
        ("email_marketing", True),
    ]


async def treating(client: AsyncClient, front_desk: dict[str, str], client_id: str) -> Any:
    """A practitioner's login, with a booking of the client in her calendar."""
    await open_salon()
    facial = await make_service("Soin visage")
    user = await make_user(role=Role.practitioner)
    await make_practitioner("Camille", [facial], user_id=user.id)
    await book_by_staff(client, front_desk, [facial], "2027-03-22T10:00:00+01:00", client_id)
    tokens = await login(client, user.email)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_health_notes_are_for_roles_that_treat_and_every_read_is_audited(
    client: AsyncClient,
    front_desk: dict[str, str],
    session: AsyncSession,
) -> None:
    helene = await make(client, front_desk)
    practitioner = await treating(client, front_desk, helene["id"])
    url = f"/api/v1/clients/{helene['id']}/health-notes"

    written = await client.post(
        url, json={"kind": "allergy", "body": "Allergie au latex"}, headers=practitioner
    )
    reception = await client.get(url, headers=front_desk)
    read = await client.get(url, headers=practitioner)

    assert written.status_code == 201
    assert reception.status_code == 403
    assert [n["body"] for n in read.json()["items"]] == ["Allergie au latex"]
    reads = await session.scalar(
        select(func.count()).where(
            AuditLogEntry.action == "client.health_notes.read",
            AuditLogEntry.subject_id == helene["id"],
        )
    )
    assert reads == 1


async def test_a_client_account_never_reads_another_client(
    client: AsyncClient, front_desk: dict[str, str]
) -> None:
    other = await make(client, front_desk)
    headers = await sign_up(client, "ines@example.fr", "Inès", "Martin")

    me = await client.get("/api/v1/me", headers=headers)
    assert me.json()["first_name"] == "Inès"
    for url in (
        f"/api/v1/clients/{other['id']}",
        f"/api/v1/clients/{other['id']}/history",
        f"/api/v1/clients/{other['id']}/export",
        "/api/v1/clients/search?q=dupont",
        f"/api/v1/clients/{me.json()['id']}",
    ):
        response = await client.get(url, headers=headers)
        assert response.status_code in {403, 404}, url
    assert (await client.get("/api/v1/me/bookings", headers=headers)).json()["items"] == []


async def test_sign_up_links_an_existing_record_only_once_the_email_is_verified(
    client: AsyncClient, front_desk: dict[str, str]
) -> None:
    existing = await make(client, front_desk)
    headers = await sign_up(client, HELENE["email"], "H", "D")

    before = await client.get("/api/v1/me", headers=headers)
    await verify_email(client, HELENE["email"])
    after = await client.get("/api/v1/me", headers=headers)

    # Before: the account's own record, which holds no e-mail and matches nobody's.
    assert before.json()["id"] != existing["id"]
    assert before.json()["email"] is None
    assert after.json()["id"] == existing["id"]
    assert after.json()["has_account"] is True


async def test_history_counts_visits_no_shows_and_spending(
    client: AsyncClient, front_desk: dict[str, str], auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    await open_salon()
    facial = await make_service(minutes=60, price_cents=6000)
    await make_practitioner("Camille", [facial])
    helene = await make(client, front_desk)
    headers = front_desk

    async def book(start: str) -> Any:
        response = await client.post(
            "/api/v1/bookings",
            json={"service_ids": [str(facial)], "start": start, "client_id": helene["id"]},
            headers=headers,
        )
        return response.json()

    done = await book("2027-03-16T09:00:00+01:00")
    missed = await book("2027-03-17T09:00:00+01:00")
    await book("2027-03-25T09:00:00+01:00")
    clock.pin(paris(2027, 3, 20, 8))  # after both visits: a no-show is recorded once it happened
    headers = await auth_headers(Role.receptionist)  # tokens follow the clock
    for booking, status in ((done, "completed"), (missed, "no_show")):
        await client.post(
            f"/api/v1/bookings/{booking['id']}/status", json={"status": status}, headers=headers
        )

    history = (await client.get(f"/api/v1/clients/{helene['id']}/history", headers=headers)).json()

    assert history["visits"] == 1
    assert history["no_shows"] == 1
    assert history["spent_last_12_months_cents"] == 6000
    assert [b["start"] for b in history["upcoming"]] == ["2027-03-25T09:00:00+01:00"]
    assert len(history["past"]) == 2


async def test_merging_moves_everything_to_the_record_that_stays(
    client: AsyncClient, front_desk: dict[str, str], manager: dict[str, str]
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    await open_salon()
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])
    keep = await make(client, front_desk, phone=None, birthday=None)
    dupe = await make(client, front_desk, first_name="Helene", email="h.dupont@example.fr")
    await client.post(
        f"/api/v1/clients/{dupe['id']}/notes", json={"body": "Préfère le matin"}, headers=front_desk
    )
    booking = await client.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(facial)],
            "start": "2027-03-16T09:00:00+01:00",
            "client_id": dupe["id"],
        },
        headers=front_desk,
    )

    duplicates = await client.get("/api/v1/clients/duplicates", headers=front_desk)
    merged = await client.post(
        "/api/v1/clients/merge",
        json={"source_id": dupe["id"], "target_id": keep["id"]},
        headers=manager,
    )

    assert {(p["first"]["id"], p["second"]["id"]) for p in duplicates.json()["items"]} & {
        (keep["id"], dupe["id"]),
        (dupe["id"], keep["id"]),
    }
    assert merged.status_code == 200
    assert merged.json()["phone"] == "+33612345678"  # filled from the duplicate
    assert merged.json()["email"] == HELENE["email"]  # the target's own stays
    moved = await client.get(f"/api/v1/bookings/{booking.json()['id']}", headers=front_desk)
    assert moved.json()["client_id"] == keep["id"]
    notes = await client.get(f"/api/v1/clients/{keep['id']}/notes", headers=front_desk)
    assert [n["body"] for n in notes.json()["items"]] == ["Préfère le matin"]
    gone = await client.get(f"/api/v1/clients/{dupe['id']}", headers=front_desk)
    assert gone.status_code == 404


async def test_export_holds_everything_and_is_audited(
    client: AsyncClient,
    front_desk: dict[str, str],
    manager: dict[str, str],
    session: AsyncSession,
) -> None:
    helene = await make(client, front_desk)
    await client.post(
        f"/api/v1/clients/{helene['id']}/notes",
        json={"body": "Très ponctuelle"},
        headers=front_desk,
    )

    exported = await client.get(f"/api/v1/clients/{helene['id']}/export", headers=manager)

    body = exported.json()
    assert body["client"]["email"] == HELENE["email"]
    assert body["client"]["birthday"] == "1988-04-12"
    assert [n["body"] for n in body["notes"]] == ["Très ponctuelle"]
    audited = await session.scalar(
        select(func.count()).where(AuditLogEntry.action == "client.exported")
    )
    assert audited == 1


async def _text_columns_containing(session: AsyncSession, needles: list[str]) -> list[str]:
    """Every (table.column) of every table whose text holds one of the needles."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            type_name = column.type.__class__.__name__.lower()
            if not any(t in type_name for t in ("string", "text", "jsonb", "array")):
                continue
            for needle in needles:
                hit = await session.scalar(
                    text(
                        f'SELECT count(*) FROM "{table.name}" WHERE "{column.name}"::text ILIKE :n'  # noqa: S608
                    ),
                    {"n": f"%{needle}%"},
                )
                if hit:
                    found.append(f"{table.name}.{column.name}")
    return found


async def test_erasure_leaves_no_personal_data_and_keeps_the_figures(
    client: AsyncClient,
    front_desk: dict[str, str],
    manager: dict[str, str],
    session: AsyncSession,
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    await open_salon()
    facial = await make_service(minutes=60, price_cents=6000, home=True)
    await make_practitioner("Camille", [facial])
    account = await sign_up(client, HELENE["email"], "Hélène", "Dupont")
    await verify_email(client, HELENE["email"])  # an address she never proved is not hers
    me = (await client.get("/api/v1/me", headers=account)).json()
    await client.patch(
        "/api/v1/me", json={"phone": "06 12 34 56 78", "address": "Bellecour"}, headers=account
    )
    booked = await client.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(facial)],
            "start": "2027-03-16T09:00:00+01:00",
            "location": "home",
            "home_address": "3 place Bellecour, 69002 Lyon",
            "home_latitude": "45.7578",
            "home_longitude": "4.832",
            "notes": "Code porte 1234B, Hélène Dupont",
        },
        headers=account,
    )
    await client.post(
        f"/api/v1/clients/{me['id']}/notes", json={"body": "Hélène aime le thé"}, headers=front_desk
    )
    await client.post(
        f"/api/v1/clients/{me['id']}/health-notes",
        json={"kind": "pregnancy", "body": "Enceinte (Dupont)"},
        headers=manager,
    )
    await client.post(
        f"/api/v1/clients/{me['id']}/consents",
        json={"channel": "photos", "granted": True, "source": "in_salon"},
        headers=front_desk,
    )
    paid = await client.post(
        "/api/v1/payments/in-person",
        json={"booking_id": booked.json()["id"], "method": "cash", "note": "Réglé par H. Dupont"},
        headers=front_desk,
    )
    assert paid.status_code == 201, paid.text
    card = await client.post(
        "/api/v1/gift-cards/in-salon",
        json={
            "amount_cents": 5000,
            "buyer": {"name": "Hélène Dupont", "email": HELENE["email"]},
            "recipient_name": "Léa",
            "message": "De la part d'Hélène Dupont",
            "method": "cash",
        },
        headers=front_desk,
    )
    assert card.status_code == 201, card.text
    assert await deliver_messages() >= 2  # her confirmation e-mail and SMS, the card's receipt
    gift_mail = await session.scalar(select(Message).where(Message.template == "gift_card_receipt"))
    assert gift_mail is not None
    assert "Hélène Dupont" in gift_mail.body_text
    totals_before = await session.scalar(select(func.sum(Booking.total_cents)))
    payments_before = await session.scalar(select(func.sum(Payment.amount_cents)))
    needles = ["Dupont", "Hélène", "helene.dupont", "612345678", "Bellecour", "1234B"]
    assert await _text_columns_containing(session, needles)

    erased = await client.request(
        "DELETE", f"/api/v1/clients/{me['id']}", json={"confirm": True}, headers=manager
    )

    assert erased.status_code == 200, erased.text
    assert erased.json()["anonymized"] is True
    await session.rollback()
    leftover = await _text_columns_containing(session, needles)
    assert leftover == [], leftover

    assert await session.scalar(select(func.sum(Booking.total_cents))) == totals_before
    assert await session.scalar(select(func.sum(Payment.amount_cents))) == payments_before
    assert (await client.get("/api/v1/me", headers=account)).status_code == 401
    audited = await session.scalar(
        select(func.count()).where(
            AuditLogEntry.action == "client.erased", AuditLogEntry.subject_id == me["id"]
        )
    )
    assert audited == 1


async def test_erasure_must_be_confirmed(
    client: AsyncClient, front_desk: dict[str, str], manager: dict[str, str]
) -> None:
    helene = await make(client, front_desk)
    unconfirmed = await client.request(
        "DELETE", f"/api/v1/clients/{helene['id']}", json={"confirm": False}, headers=manager
    )
    by_reception = await client.request(
        "DELETE", f"/api/v1/clients/{helene['id']}", json={"confirm": True}, headers=front_desk
    )
    assert unconfirmed.status_code == 422
    assert by_reception.status_code == 403
    still = await client.get(f"/api/v1/clients/{helene['id']}", headers=front_desk)
    assert still.json()["last_name"] == "Dupont"


async def test_a_client_erases_herself_and_her_account(client: AsyncClient) -> None:
    headers = await sign_up(client, "ines@example.fr", "Inès", "Martin")

    exported = await client.get("/api/v1/me/export", headers=headers)
    erased = await client.post("/api/v1/me/erase", json={"confirm": True}, headers=headers)

    assert exported.json()["account"]["email"] == "ines@example.fr"
    assert erased.status_code == 204
    login = await client.post(
        "/api/v1/auth/token", data={"username": "ines@example.fr", "password": "une-phrase-secrete"}
    )
    assert login.status_code == 401


async def test_clients_inactive_for_three_years_are_flagged_for_review(
    client: AsyncClient,
    front_desk: dict[str, str],
    auth_headers: AuthHeaders,
    session: AsyncSession,
) -> None:
    old = await make(client, front_desk)
    clock.travel(timedelta(days=3 * 365 + 2))
    front_desk = await auth_headers(Role.receptionist)
    recent = await make(client, front_desk, email="new@example.fr", phone=None)

    assert await flag_inactive_clients() == 1

    flagged = await client.get(
        "/api/v1/clients", params={"retention_review": "true"}, headers=front_desk
    )
    assert [c["id"] for c in flagged.json()["items"]] == [old["id"]]
    assert recent["id"] not in {c["id"] for c in flagged.json()["items"]}
    row = await session.get(Client, old["id"])
    assert row is not None


async def test_clients_filter_by_tag_birthday_month_visits_and_no_shows(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 16, 8, 30))  # the morning of the visits: no-shows are recorded then
    front_desk = await auth_headers(Role.receptionist)
    await open_salon()
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])
    helene = await make(client, front_desk)
    clock.travel(timedelta(seconds=5))  # Inès is the newer record
    ines = await make(
        client,
        front_desk,
        first_name="Inès",
        last_name="Martin",
        email="ines@example.fr",
        phone=None,
        birthday="1990-09-01",
        tags=["vip"],
    )
    for who, start, status in (
        (helene, "2027-03-16T09:00:00+01:00", "no_show"),
        (ines, "2027-03-16T11:00:00+01:00", "completed"),
    ):
        booking = await client.post(
            "/api/v1/bookings",
            json={"service_ids": [str(facial)], "start": start, "client_id": who["id"]},
            headers=front_desk,
        )
        await client.post(
            f"/api/v1/bookings/{booking.json()['id']}/status",
            json={"status": status},
            headers=front_desk,
        )

    async def ids(**params: Any) -> list[str]:
        response = await client.get("/api/v1/clients", params=params, headers=front_desk)
        return [c["id"] for c in response.json()["items"]]

    assert await ids(tag="vip") == [ines["id"]]
    assert await ids(birthday_month=4) == [helene["id"]]
    assert await ids(min_no_shows=1) == [helene["id"]]
    assert await ids(last_visit_after="2027-03-01") == [ines["id"]]
    assert await ids(last_visit_before="2027-03-01") == []
    assert await ids(sort="newest") == [ines["id"], helene["id"]]
    assert await ids() == [helene["id"], ines["id"]]  # by last name
