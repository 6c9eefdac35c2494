"""An invoice sold on account gone overdue: one French e-mail to the business client, with
what is still owed, the due date, the late-payment penalty and the 40 € indemnity the
invoice mentions, and a link that parses; a second scan sends nothing; a paid invoice is
never reminded."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.core.config import get_settings
from app.integrations.console import console
from app.invoicing.models import OverdueReminder
from app.invoicing.tasks import remind_overdue_invoices
from app.notifications.models import Message
from tests.builders import AuthHeaders, deliver_messages
from tests.factories.core import count, paris
from tests.invoicing.receivables_helpers import company, invoice_of_ticket, pay, sold_on_account
from tests.sales.orders_helpers import open_till

LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 22, 10))


async def test_an_overdue_invoice_is_reminded_once_in_french_with_what_is_owed(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    desk, manager = await auth_headers(Role.receptionist), await auth_headers(Role.manager)
    till = await open_till(client, manager)
    atelier = await company(client, desk)
    zen = await company(client, desk, "Zen Conseil SAS", first_name="Paul")
    owed = await invoice_of_ticket(
        client, desk, str((await sold_on_account(client, manager, till, atelier))["id"])
    )
    settled = await invoice_of_ticket(
        client, desk, str((await sold_on_account(client, manager, till, zen))["id"])
    )
    await pay(client, manager, owed["id"], method="bank_transfer", amount_cents=3000)
    await pay(client, manager, settled["id"], method="bank_transfer", amount_cents=10550)
    await deliver_messages()
    console.clear()

    clock.pin(paris(2027, 4, 21, 22))  # the due day itself: not late yet
    on_the_due_day = await remind_overdue_invoices()
    clock.pin(paris(2027, 4, 22, 9, 30))
    first_scan = await remind_overdue_invoices()
    second_scan = await remind_overdue_invoices()
    await deliver_messages()

    assert (on_the_due_day, first_scan, second_scan) == (0, 1, 0)
    assert await count(session, Message, Message.template == "invoice_overdue") == 1
    assert await count(session, OverdueReminder) == 2  # the paid one is noted, never mailed
    [mail] = console.emails
    text = mail.text.replace("\u00a0", " ")
    assert mail.to == "compta@atelier.fr"
    assert mail.subject == f"Relance : facture {owed['number']} échue — Sérénaia Beauté"
    assert f"facture n° {owed['number']} du 22/03/2027" in text
    assert "Atelier Dupont SARL" in text
    assert "arrivait à échéance le 21/04/2027" in text
    assert "il reste 75,50 € à régler" in text
    assert get_settings().invoicing.late_penalty in text
    assert "indemnité forfaitaire pour frais de recouvrement de 40,00 €" in text
    [link] = LINK.findall(text)
    parsed = urlparse(link)
    assert parsed.scheme in {"http", "https"}
    assert parsed.netloc == urlparse(get_settings().salon.public_url).netloc
    assert parsed.path.endswith(f"/compte/factures/{owed['number']}")
    desk = await auth_headers(Role.receptionist)
    read = await client.get(f"/api/v1/invoices/{owed['id']}", headers=desk)
    assert (read.json()["status"], read.json()["outstanding_cents"]) == ("overdue", 7550)
