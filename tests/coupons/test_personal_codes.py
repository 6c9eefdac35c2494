"""Personal codes (`coupons.public.issue_personal_code`): what loyalty rewards and referral
welcomes are made of. Only their owner may use them, once, even from two tills at once; they
can be taken back until used; the staff's list of promo codes does not show them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.coupons import public as coupons
from tests.bookings.salon import make_client, paris
from tests.builders import AuthHeaders

FACIAL = uuid4()
LINES = [coupons.Line("service", FACIAL, 6000), coupons.Line("product", uuid4(), 2000)]


@pytest.fixture(autouse=True)
def _now() -> None:
    clock.pin(paris(2027, 3, 15, 10))


async def _issue(client_id: UUID, **terms: object) -> coupons.PersonalCode:
    fields: dict[str, object] = {"description": "Soin offert (fidélité)", "percent": Decimal(100)}
    fields |= terms
    async with unit_of_work() as session:
        return await coupons.issue_personal_code(
            session,
            client_id=client_id,
            origin="loyalty",
            prefix="fid",
            terms=coupons.PersonalTerms(**fields),  # type: ignore[arg-type]
        )


async def _use(code: str, client_id: UUID | None) -> coupons.CodeUse:
    async with unit_of_work() as session:
        return await coupons.use_code(
            session,
            code,
            lines=LINES,
            client_id=client_id,
            subject_kind="order",
            subject_id=uuid4(),
            actor_user_id=None,
        )


async def test_a_personal_code_is_readable_and_covers_only_what_it_names() -> None:
    owner = await make_client()
    issued = await _issue(owner, service_ids=(FACIAL,))
    prefix, first, second = issued.code.split("-")
    assert prefix == "FID"
    assert len(first) == len(second) == 4
    assert not set(first + second) & set("01OIL")
    async with unit_of_work() as session:
        check = await coupons.check_code(session, issued.code.lower(), lines=LINES, client_id=owner)
    assert (check.valid, check.discount_cents) == (True, 6000)  # the facial, not the cream


async def test_only_its_owner_may_use_it() -> None:
    owner, other = await make_client(), await make_client()
    issued = await _issue(owner)
    async with unit_of_work() as session:
        anonymous = await coupons.check_code(session, issued.code, lines=LINES, client_id=None)
        someone_else = await coupons.check_code(session, issued.code, lines=LINES, client_id=other)
    assert anonymous.reason_code == "sign_in_required"
    assert someone_else.reason_code == "not_yours"
    with pytest.raises(coupons.CouponRefused) as refused:
        await _use(issued.code, other)
    assert refused.value.extra == {"reason_code": "not_yours"}
    async with unit_of_work() as session:
        assert await coupons.personal_code_state(session, issued.coupon_id) == "available"


@pytest.mark.race
async def test_two_tills_at_once_spend_it_once() -> None:
    owner = await make_client()
    issued = await _issue(owner, percent=None, amount_cents=1500)
    results = await asyncio.gather(
        *(_use(issued.code, owner) for _ in range(2)), return_exceptions=True
    )
    used = [r for r in results if isinstance(r, coupons.CodeUse)]
    refused = [r for r in results if isinstance(r, coupons.CouponRefused)]
    assert len(used) == 1, results
    assert len(refused) == 1, results
    assert used[0].discount_cents == 1500
    assert refused[0].extra == {"reason_code": "used_up"}
    async with unit_of_work() as session:
        assert await coupons.personal_code_state(session, issued.coupon_id) == "used"
        # Spent: it cannot be taken back any more.
        assert await coupons.withdraw_personal_code(session, issued.coupon_id) == "used"


async def test_a_code_taken_back_before_use_no_longer_works() -> None:
    owner = await make_client()
    issued = await _issue(owner, ends_at=clock.utcnow() + timedelta(days=30))
    async with unit_of_work() as session:
        assert await coupons.withdraw_personal_code(session, issued.coupon_id) == "withdrawn"
    with pytest.raises(coupons.CouponRefused) as refused:
        await _use(issued.code, owner)
    assert refused.value.extra == {"reason_code": "unknown_code"}
    async with unit_of_work() as session:
        assert await coupons.personal_code_state(session, issued.coupon_id) == "withdrawn"


async def test_an_expired_code_says_so() -> None:
    owner = await make_client()
    issued = await _issue(owner, ends_at=clock.utcnow() + timedelta(days=1))
    clock.pin(paris(2027, 3, 17, 10))
    async with unit_of_work() as session:
        assert await coupons.personal_code_state(session, issued.coupon_id) == "expired"
        check = await coupons.check_code(session, issued.code, lines=LINES, client_id=owner)
    assert check.reason_code == "expired"


async def test_staff_do_not_see_personal_codes_in_the_promo_code_routes(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    manager = await auth_headers(Role.manager)
    salon = await client.post(
        "/api/v1/coupons",
        json={"code": "ETE", "kind": "fixed", "amount_cents": 500},
        headers=manager,
    )
    assert salon.status_code == 201, salon.text
    issued = await _issue(await make_client())
    listed = await client.get("/api/v1/coupons", headers=manager)
    assert listed.status_code == 200
    assert [c["code"] for c in listed.json()["items"]] == ["ETE"]
    for path in ("", "/stats", "/uses"):
        answer = await client.get(f"/api/v1/coupons/{issued.coupon_id}{path}", headers=manager)
        assert answer.status_code == 404, (path, answer.text)


async def test_a_merge_moves_the_code_and_an_erasure_stops_it(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    kept, duplicate = await make_client(), await make_client()
    issued = await _issue(duplicate)
    merged = await client.post(
        "/api/v1/clients/merge",
        json={"source_id": str(duplicate), "target_id": str(kept)},
        headers=manager,
    )
    assert merged.status_code == 200, merged.text
    async with unit_of_work() as session:
        check = await coupons.check_code(session, issued.code, lines=LINES, client_id=kept)
    assert check.valid, check.reason_code

    owner = await make_client()
    other = await _issue(owner)
    erased = await client.request(
        "DELETE", f"/api/v1/clients/{owner}", json={"confirm": True}, headers=manager
    )
    assert erased.status_code == 200, erased.text
    async with unit_of_work() as session:
        assert await coupons.personal_code_state(session, other.coupon_id) == "withdrawn"
