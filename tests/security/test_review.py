"""An acceptance review of issue 11, as an attacker inside the salon would try it: each test
is a hole found after the merge, closed at its cause."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import make_client, make_practitioner, make_service, open_salon, paris
from tests.builders import login, make_user


async def _bearer(client: AsyncClient, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {(await login(client, email))['access_token']}"}


async def test_a_practitioner_cannot_read_a_message_to_a_client_she_never_served(
    client: AsyncClient,
) -> None:
    await open_salon()
    facial = await make_service()
    lea = await make_user(role=Role.practitioner)
    await make_practitioner("Léa", [facial], user_id=lea.id)
    stranger = await make_client("Hélène", email="helene.secret@example.fr")
    manager = await make_user(role=Role.manager)
    desk = {"Authorization": f"Bearer {(await login(client, manager.email))['access_token']}"}
    sent = await client.post(
        "/api/v1/notifications/messages",
        json={
            "client_id": str(stranger),
            "channel": "email",
            "subject": "Votre commande",
            "text": "Bonjour, votre crème est arrivée au salon.",
        },
        headers=desk,
    )
    assert sent.status_code == 201, sent.text
    practitioner = {"Authorization": f"Bearer {(await login(client, lea.email))['access_token']}"}

    answer = await client.get(
        f"/api/v1/notifications/messages/{sent.json()['id']}", headers=practitioner
    )

    assert answer.status_code == 403, answer.text
    assert "helene.secret@example.fr" not in answer.text


async def _lea_books(client: AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    """Léa, a practitioner with an account, signed in; and a visit with her to fill in."""
    clock.pin(paris(2027, 3, 15, 8))
    await open_salon()
    facial = await make_service()
    lea_user = await make_user(role=Role.practitioner)
    lea = await make_practitioner("Léa", [facial], user_id=lea_user.id)
    visit = {"service_ids": [str(facial)], "practitioner_id": str(lea)}
    return await _bearer(client, lea_user.email), visit


async def test_a_practitioner_cannot_open_a_stranger_s_record_by_booking_her(
    client: AsyncClient,
) -> None:
    me, visit = await _lea_books(client)
    stranger = await make_client("Hélène", email="helene@example.fr")
    desk = await _bearer(client, (await make_user(role=Role.manager)).email)
    noted = await client.post(
        f"/api/v1/clients/{stranger}/health-notes",
        json={"kind": "allergy", "body": "Allergie au latex"},
        headers=desk,
    )
    assert noted.status_code == 201, noted.text

    by_contact = await client.post(
        "/api/v1/bookings",
        json=visit
        | {
            "start": paris(2027, 3, 22, 9).isoformat(),
            "client": {"first_name": "H", "last_name": "D", "email": "Helene@example.fr"},
        },
        headers=me,
    )
    by_id = await client.post(
        "/api/v1/bookings",
        json=visit | {"start": paris(2027, 3, 22, 11).isoformat(), "client_id": str(stranger)},
        headers=me,
    )
    notes = await client.get(f"/api/v1/clients/{stranger}/health-notes", headers=me)

    assert by_contact.status_code == 403, by_contact.text
    assert by_id.status_code == 404, by_id.text
    assert notes.status_code == 404, notes.text
    assert "latex" not in notes.text


async def test_a_practitioner_still_books_a_new_client_and_her_own(client: AsyncClient) -> None:
    me, visit = await _lea_books(client)

    new = await client.post(
        "/api/v1/bookings",
        json=visit
        | {
            "start": paris(2027, 3, 22, 9).isoformat(),
            "client": {"first_name": "Zoé", "last_name": "Neuve", "email": "zoe@example.fr"},
        },
        headers=me,
    )
    assert new.status_code == 201, new.text
    again = await client.post(
        "/api/v1/bookings",
        json=visit
        | {"start": paris(2027, 3, 29, 9).isoformat(), "client_id": new.json()["client_id"]},
        headers=me,
    )

    assert again.status_code == 201, again.text
