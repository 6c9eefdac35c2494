"""The dunning of a failed renewal, day by day on a pinned clock: a case opened once per
invoice, the reminders on schedule and in French, hard declines never retried, a payment or a
late failure after it, the staff alerts, and the report of what was recovered and lost."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.core.config import get_settings
from app.integrations.console import console
from app.notifications.sms import measure
from app.subscriptions import public as subscriptions
from app.subscriptions.dunning import scan
from app.subscriptions.links import subscription_from_card_token
from app.subscriptions.models import Subscription
from tests.factories.auth import AuthHeaders
from tests.factories.core import paris
from tests.factories.notifications import deliver_messages
from tests.subscriptions.dunning_builders import (
    PLAN,
    Member,
    cases,
    invoice_paid,
    member,
    publish,
    renewal_failed,
    renewal_invoice,
    steps,
    timeline,
)

FAILED = paris(2027, 3, 1, 4, 12)  # the renewal, at the night's anchor hour
MARCH = {"from": "2027-03-01T00:00:00+01:00", "to": "2027-04-01T00:00:00+02:00"}


async def fail(decline_code: str | None, at: datetime = FAILED) -> tuple[Member, tuple]:  # type: ignore[type-arg]
    clock.pin(at)
    who = await member()
    invoice = await renewal_invoice(who)
    await renewal_failed(who, invoice, decline_code, at)
    return who, invoice


async def scan_days(first: int, last: int) -> dict[int, list[str]]:
    """Run the scan at noon on each day J+first..J+last; what each day sent, by template."""
    sent: dict[int, list[str]] = {}
    for day in range(first, last + 1):
        clock.pin(paris(2027, 3, 1, 12) + timedelta(days=day))
        mails, texts = len(console.emails), len(console.sms)
        await scan()
        await deliver_messages()
        new = [m.to for m in console.emails[mails:]] + [m.to for m in console.sms[texts:]]
        client_ones = [to for to in new if to != get_settings().salon.email]
        if client_ones:
            sent[day] = sorted(client_ones)
    return sent


async def test_a_hard_decline_is_never_retried_and_the_reminders_go_on_their_days(
    session: AsyncSession,
) -> None:
    who, _ = await fail("stolen_card")

    sent = await scan_days(1, 14)

    assert sent == {
        3: ["+33612345678", "helene.abonnee@example.fr"],
        7: ["+33612345678", "helene.abonnee@example.fr"],
    }
    [case] = await cases(session, who)
    assert (case.state, case.hard, case.retries_done) == ("past_due", True, 0)
    done = await steps(session, case)
    skipped = {"skipped": "hard decline"}
    retries = {name: detail for name, detail in done.items() if name.startswith("retry")}
    assert retries == {"retry:1": skipped, "retry:2": skipped}  # retry:3 wakes nobody
    assert done["reminder:3"] == done["reminder:7"] == {"sent": True}
    assert sorted(await timeline(session, who)) == [
        "dunning.opened",
        "dunning.reminder",
        "dunning.reminder",
        "renewal_failed",
    ]
    assert case.next_step_at == paris(2027, 3, 16, 10)  # the suspension, next


async def test_each_message_says_what_happened_in_french_with_a_link_that_parses(
    session: AsyncSession,
) -> None:
    who, _ = await fail("stolen_card")
    await scan_days(1, 3)

    mail = next(m for m in console.emails if m.to == "helene.abonnee@example.fr")
    assert mail.subject == f"Votre carte a été refusée : abonnement « {PLAN} »"
    assert "Le paiement de 39,00\u00a0€ pour votre abonnement « Abonnement soins visage »" in (
        mail.text
    )
    assert "dû le lundi 1er mars 2027, n'a pas abouti : la banque a refusé cette carte." in (
        mail.text
    )
    assert "nous ne la débiterons plus" in mail.text
    assert "suspendus le mardi 16 mars 2027" in mail.text
    assert "résilié le mercredi 31 mars 2027" in mail.text
    link = next(w for w in mail.text.split() if w.startswith("http"))
    parts = urlsplit(link)
    assert parts.path == "/abonnement/carte"
    token = parse_qs(parts.query)["token"][0]
    assert subscription_from_card_token(token) == who.subscription_id
    [sms] = [m for m in console.sms if m.to == "+33612345678"]
    assert "39,00 €" in sms.text
    assert "(carte refusée)" in sms.text
    assert "avant le 16/03 :" in sms.text
    assert link in sms.text
    assert measure(sms.text).segments <= 2


async def test_a_soft_decline_tells_the_next_retry_and_staff_hear_of_the_case(
    session: AsyncSession,
) -> None:
    await fail("insufficient_funds")
    await deliver_messages()

    [alert] = [m for m in console.emails if m.to == get_settings().salon.email]
    assert alert.subject == "Échéance impayée : Hélène"
    assert (
        "Abonnement « Abonnement soins visage » de Hélène : 39,00\u00a0€ dus le lundi 1er mars"
        in (alert.text)
    )
    assert "nouvelle tentative le jeudi 4 mars 2027" in alert.text
    assert "suspendus le mardi 16 mars 2027" in alert.text


async def test_the_same_failure_twice_opens_one_case_and_one_alert(session: AsyncSession) -> None:
    who, invoice = await fail("insufficient_funds")
    await renewal_failed(who, invoice, "insufficient_funds", FAILED)
    await deliver_messages()

    assert len(await cases(session, who)) == 1
    assert len([m for m in console.emails if m.to == get_settings().salon.email]) == 1


async def test_a_paid_invoice_recovers_the_case_and_a_late_failure_changes_nothing(
    session: AsyncSession,
) -> None:
    who, invoice = await fail("insufficient_funds")
    clock.pin(paris(2027, 3, 2, 9))
    await invoice_paid(who, invoice, paris(2027, 3, 2, 9))
    # Stripe's payment_failed of the same invoice, arriving after its paid.
    await renewal_failed(who, invoice, "insufficient_funds", paris(2027, 3, 2, 8))
    await renewal_failed(who, invoice, "card_declined", paris(2027, 3, 2, 10))

    sent = await scan_days(3, 8)

    assert sent == {}
    [case] = await cases(session, who)
    assert (case.state, case.outcome, case.recovered_by) == ("recovered", "recovered", "payment")
    assert case.decline_code == "insufficient_funds"
    assert case.closed_at == paris(2027, 3, 2, 9)
    assert "dunning.recovered" in await timeline(session, who)


async def test_a_membership_ended_while_unpaid_closes_its_case_as_lost(
    session: AsyncSession,
) -> None:
    who, _ = await fail("insufficient_funds")
    clock.pin(paris(2027, 3, 5, 9))
    await publish(
        subscriptions.TOPIC_CANCELLED,
        {
            "subscription_id": who.subscription_id,
            "reason": "client",
            "at": clock.utcnow().isoformat(),
        },
    )

    assert await scan_days(6, 8) == {}
    [case] = await cases(session, who)
    assert (case.state, case.outcome) == ("cancelled", "ended")


async def test_the_report_gives_recovered_and_lost_revenue_and_the_cases_by_outcome(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    recovered, invoice = await fail("insufficient_funds")
    manager = await auth_headers(Role.manager)
    await invoice_paid(recovered, invoice, paris(2027, 3, 3, 9))
    lost = await member(email="ines@example.fr", phone="+33611111111")
    lost_invoice = await renewal_invoice(lost)
    await renewal_failed(lost, lost_invoice, "do_not_honor", FAILED)
    await publish(
        subscriptions.TOPIC_CANCELLED,
        {"subscription_id": lost.subscription_id, "reason": "staff", "at": FAILED.isoformat()},
    )
    still = await member(email="lea@example.fr", phone="+33622222222")
    await renewal_failed(still, await renewal_invoice(still), "insufficient_funds", FAILED)

    answer = await client.get(
        "/api/v1/subscription-reports/dunning",
        params=MARCH,
        headers=manager,
    )

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["opened"] == {"count": 3, "amount_cents": 11700}
    assert report["recovered"] == {
        "count": 1,
        "amount_cents": 3900,
        "by_retry": 0,
        "by_card_update": 0,
        "by_payment": 1,
    }
    assert report["lost"] == {"count": 1, "amount_cents": 3900}
    assert (report["cancelled"], report["ended"]) == (0, 1)
    assert report["open"] == {"count": 1, "amount_cents": 3900}
    assert report["recovery_rate_percent"] == 50
    desk = await auth_headers(Role.receptionist)
    refused = await client.get(
        "/api/v1/subscription-reports/dunning",
        params=MARCH,
        headers=desk,
    )
    assert refused.status_code == 403
    reversed_ = await client.get(
        "/api/v1/subscription-reports/dunning",
        params={"from": MARCH["to"], "to": MARCH["from"]},
        headers=manager,
    )
    assert reversed_.status_code == 422
    assert reversed_.json()["code"] == "validation_error"


async def test_unpaid_at_j15_the_membership_is_suspended_and_a_payment_reinstates_it(
    session: AsyncSession,
) -> None:
    who, invoice = await fail("stolen_card")
    await scan_days(1, 14)
    console.emails.clear()
    console.sms.clear()

    sent = await scan_days(15, 19)

    assert sent == {15: ["+33612345678", "helene.abonnee@example.fr"]}  # one notice, not two
    [case] = await cases(session, who)
    assert (case.state, case.suspended_at) == ("suspended", paris(2027, 3, 16, 12))
    done = await steps(session, case)
    assert (done["suspend"], done["reminder:15"]) == ({}, {"sent": False})
    subscription = await session.get(Subscription, who.subscription_id, populate_existing=True)
    assert subscription is not None
    assert subscription.status == "suspended"
    mail = next(m for m in console.emails if m.to == "helene.abonnee@example.fr")
    assert mail.subject == f"Abonnement « {PLAN} » suspendu : paiement en attente"
    assert "Depuis le mardi 16 mars 2027, les soins inclus" in mail.text
    assert "résilié le mercredi 31 mars 2027" in mail.text
    [alert] = [m for m in console.emails if m.to == get_settings().salon.email]
    assert alert.subject == "Abonnement suspendu : Hélène"

    clock.pin(paris(2027, 3, 21, 9))
    await invoice_paid(who, invoice, paris(2027, 3, 21, 9))
    await deliver_messages()

    [case] = await cases(session, who)
    assert (case.state, case.recovered_by) == ("recovered", "payment")
    await session.refresh(subscription)
    assert (subscription.status, subscription.suspended_at) == ("active", None)
    assert "Ses avantages, suspendus, sont rétablis." in console.emails[-1].text
    assert await scan_days(22, 31) == {}
