"""Referrals seen by staff and by the law: two visits told at once reward once, who reads
what, the salon's figures, and GDPR export, erasure and merge."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from app.auth.models import Role, UserKind
from app.core import clock
from app.core.db import unit_of_work
from app.coupons.models import Coupon
from app.referrals import flows, service
from app.referrals.models import Referral, ReferralChannel
from tests.builders import AuthHeaders
from tests.factories.bookings import facial_with_camille
from tests.factories.clients import make_client
from tests.factories.core import paris, run_outbox, settings_changed
from tests.referrals.helpers import LEA, book_with_code, referrer, visit_at_till


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def _claimed(referrer_id: UUID, friend_id: UUID) -> None:
    async with unit_of_work() as session:
        code = await service.code_for(session, referrer_id, "Camille")
        await flows.claim(
            session, friend_id=friend_id, code=code.code, channel=ReferralChannel.claim
        )


async def _paid_visit(friend_id: UUID) -> object:
    async with unit_of_work() as session:
        return await flows.record_paid_visit(session, friend_id=friend_id, amount_cents=6000)


@pytest.mark.race
async def test_two_visits_told_at_once_reward_once() -> None:
    camille = await make_client("Camille")
    lea = await make_client("Léa")
    await _claimed(camille, lea)

    results = await asyncio.gather(_paid_visit(lea), _paid_visit(lea))

    assert sum(1 for r in results if r is not None) == 1, results
    async with unit_of_work() as session:
        rewards = await session.scalar(
            select(func.count())
            .select_from(Coupon)
            .where(Coupon.owner_client_id == camille, Coupon.origin == "referrals")
        )
    assert rewards == 1


@pytest.mark.race
async def test_two_friends_at_once_keep_the_monthly_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    settings_changed(monkeypatch, REFERRALS_MAX_REWARDS_PER_MONTH="1")
    camille = await make_client("Camille")
    friends = [await make_client(name) for name in ("Léa", "Inès")]
    for friend in friends:
        await _claimed(camille, friend)

    await asyncio.gather(*(_paid_visit(f) for f in friends))

    async with unit_of_work() as session:
        rows = await session.execute(
            select(Referral.status, Referral.reason_code).where(
                Referral.referrer_client_id == camille
            )
        )
        outcomes = sorted((status, reason or "") for status, reason in rows)
    assert outcomes == [("refused", "monthly_limit"), ("rewarded", "")]


async def test_a_client_reads_only_her_own_referrals_and_stats_are_for_managers(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    facial, _ = await facial_with_camille()
    camille, code = await referrer(client)
    await book_with_code(client, facial, code)
    await run_outbox()  # the booking is confirmed: the "booked" step
    lea_headers, lea_code = await referrer(client, email="autre@example.fr", first_name="Zoé")
    desk = await auth_headers(Role.receptionist)
    practitioner = await auth_headers(Role.practitioner)
    manager = await auth_headers(Role.manager)
    someone = await auth_headers(None, kind=UserKind.client)
    staff_list = (await client.get("/api/v1/referrals", headers=desk)).json()["items"]
    camille_id = staff_list[0]["referrer_client_id"]

    zoe_view = (await client.get("/api/v1/me/referrals", headers=lea_headers)).json()
    as_client = await client.get("/api/v1/referrals", headers=lea_headers)
    other_client = await client.get(f"/api/v1/clients/{camille_id}/referrals", headers=someone)
    by_desk = await client.get(f"/api/v1/clients/{camille_id}/referrals", headers=desk)
    by_practitioner = await client.get(
        f"/api/v1/clients/{camille_id}/referrals", headers=practitioner
    )
    stats_by_desk = await client.get("/api/v1/referrals/stats", headers=desk)
    stats = await client.get(
        "/api/v1/referrals/stats",
        params={"date_from": "2027-03-01", "date_to": "2027-03-31"},
        headers=manager,
    )
    before = await client.get(
        "/api/v1/referrals/stats",
        params={"date_from": "2027-02-01", "date_to": "2027-02-28"},
        headers=manager,
    )

    assert (zoe_view["code"], zoe_view["invitations"]) == (lea_code, [])
    assert as_client.status_code == 403
    assert other_client.status_code == 403
    assert by_desk.status_code == 200, by_desk.text
    assert (by_desk.json()["code"], len(by_desk.json()["referred"])) == (code, 1)
    assert by_practitioner.status_code == 403
    assert stats_by_desk.status_code == 403
    figures = stats.json()
    assert (figures["signed_up"], figures["booked"], figures["paid"]) == (1, 1, 0)
    assert (figures["welcome_codes"], figures["welcome_value_cents"]) == (1, 1000)
    assert figures["conversion"]["booked"] == "100.0"
    assert figures["conversion"]["paid"] == "0.0"
    assert before.json()["signed_up"] == 0
    assert before.json()["conversion"]["booked"] is None
    assert camille  # her own view is the test above's


async def test_the_salon_figures_count_rewards_and_what_referred_friends_spent(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    facial, _ = await facial_with_camille(price_cents=6000)
    _, code = await referrer(client)
    booking = await book_with_code(client, facial, code)
    manager, _ = await visit_at_till(client, auth_headers, booking)

    stats = (await client.get("/api/v1/referrals/stats", headers=manager)).json()

    assert (stats["signed_up"], stats["paid"], stats["rewarded"], stats["rewards"]) == (1, 1, 1, 1)
    assert stats["rewards_value_cents"] == 1500
    assert stats["revenue_cents"] == 6000
    assert stats["conversion"] == {
        "booked": "100.0",
        "paid": "100.0",
        "rewarded": "100.0",
        "overall": "100.0",
    }


async def test_export_erase_and_merge_cover_referrals(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    facial, _ = await facial_with_camille()
    _, code = await referrer(client)
    booking = await book_with_code(client, facial, code)
    manager = await auth_headers(Role.manager)
    [referral] = (await client.get("/api/v1/referrals", headers=manager)).json()["items"]
    camille_id, lea_id = referral["referrer_client_id"], referral["friend_client_id"]
    dupe = await make_client("Léa", email="lea.b@example.fr")

    lea_export = (await client.get(f"/api/v1/clients/{lea_id}/export", headers=manager)).json()
    camille_export = (
        await client.get(f"/api/v1/clients/{camille_id}/export", headers=manager)
    ).json()
    merged = await client.post(
        "/api/v1/clients/merge",
        json={"source_id": lea_id, "target_id": str(dupe)},
        headers=manager,
    )
    after_merge = (await client.get(f"/api/v1/clients/{dupe}/referrals", headers=manager)).json()
    erased = await client.request(
        "DELETE", f"/api/v1/clients/{camille_id}", json={"confirm": True}, headers=manager
    )
    after_erase = (await client.get("/api/v1/referrals", headers=manager)).json()["items"]
    reused = await client.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(facial)],
            "start": "2027-03-22T14:00:00+01:00",
            "client": LEA | {"email": "nouvelle@example.fr", "phone": "0611223344"},
            "referral_code": code,
        },
    )

    assert [(r["role"], r["status"]) for r in lea_export["referrals"]] == [("friend", "pending")]
    assert camille_export["referral_codes"] == [code]
    assert [(r["role"], r["code"]) for r in camille_export["referrals"]] == [("referrer", code)]
    assert "Léa" not in str(camille_export["referrals"])  # the friend's data stays hers
    assert merged.status_code == 200, merged.text
    assert after_merge["referred_by"]["id"] == referral["id"]
    assert after_merge["referred_by"]["friend_client_id"] == str(dupe)
    assert booking["client_id"] == lea_id
    assert erased.status_code == 200, erased.text
    assert [(r["id"], r["code"]) for r in after_erase] == [(referral["id"], "")]
    assert (reused.status_code, reused.json()["code"]) == (422, "unknown_referral_code")
