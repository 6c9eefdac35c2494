"""An acceptance review of issue 11, as an attacker inside the salon would try it: each test
is a hole found after the merge, closed at its cause."""

from __future__ import annotations

from httpx import AsyncClient

from app.auth.models import Role
from tests.bookings.salon import make_client, make_practitioner, make_service, open_salon
from tests.builders import login, make_user


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
