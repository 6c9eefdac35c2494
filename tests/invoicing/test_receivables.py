"""Receivables of business clients on the real PostgreSQL, through the API: a sale left owed
on account at the till (a manager, a business client only), its invoice with a due date and
what is outstanding, payments by transfer and in cash (never more than owed), a credit note
lowering the debt, the books (411 with the client's auxiliary account, back to zero once
paid), the receivables report tied to the 411 ledger, the FEC still valid."""

from __future__ import annotations

from typing import Any

import facturx
import pytest
from httpx import AsyncClient
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.invoicing.models import InvoiceSettlement
from app.payments.models import Payment
from tests.accounting.fec_validator import validate
from tests.accounting.helpers import balanced, entries, postings
from tests.builders import AuthHeaders
from tests.factories.core import count, paris, run_outbox
from tests.invoicing.helpers import new_client, pdf_text
from tests.invoicing.receivables_helpers import (
    BANK,
    CASH,
    CLIENTS,
    company,
    invoice_of_ticket,
    ledger_balance,
    order_for,
    pay,
    report,
    sold_on_account,
)
from tests.sales.orders_helpers import complete, open_till, tender

GOODS_20, VAT_20 = "707100", "445711"
NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 22, 10))


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


def _refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code


async def _due(client: AsyncClient, headers: dict[str, str], order_id: str) -> int:
    got = await client.get(f"/api/v1/sales/orders/{order_id}", headers=headers)
    return int(got.json()["due_cents"])


async def test_on_account_is_for_a_business_client_and_a_manager_only(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str], session: AsyncSession
) -> None:
    till = await open_till(client, manager)
    private = await new_client(client, desk)
    atelier = await company(client, desk)
    walk_in = await order_for(client, manager, till, None)
    hers = await order_for(client, manager, till, private)
    business = await order_for(client, manager, till, atelier)

    answers = [
        await client.post(
            f"/api/v1/sales/orders/{order['id']}/payments",
            json={"method": "on_account"},
            headers=headers,
        )
        for order, headers in ((walk_in, manager), (hers, manager), (business, desk))
    ]
    tipped = await client.post(
        f"/api/v1/sales/orders/{business['id']}/payments",
        json={"method": "on_account", "tip_cents": 500},
        headers=manager,
    )
    too_much = await client.post(
        f"/api/v1/sales/orders/{business['id']}/payments",
        json={"method": "on_account", "amount_cents": 10551},
        headers=manager,
    )
    unfinished = await client.post(
        f"/api/v1/sales/orders/{business['id']}/complete", headers=manager
    )

    _refused(answers[0], 409, "on_account_needs_business_client")
    _refused(answers[1], 409, "on_account_needs_business_client")
    _refused(answers[2], 403, "on_account_staff_only")
    _refused(tipped, 422, "tip_not_allowed")
    _refused(too_much, 422, "amount_exceeds_balance")
    _refused(unfinished, 409, "order_not_paid")
    for order in (walk_in, hers, business):
        assert await _due(client, manager, order["id"]) == 10550  # nothing was recorded
    assert await count(session, Payment) == 0


async def test_a_sale_on_account_is_invoiced_with_its_due_date_and_booked_to_411(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    till = await open_till(client, manager)
    atelier = await company(client, desk, siren="732829320")
    order = await order_for(client, manager, till, atelier)
    await tender(client, manager, order["id"], method="cash", amount_cents=550)
    owed = await tender(client, manager, order["id"], method="on_account")
    ticket = await complete(client, manager, order["id"])
    await run_outbox()
    await run_outbox()  # a second delivery writes nothing twice

    invoice = await invoice_of_ticket(client, desk, str(ticket["id"]))
    assert (owed["method"], owed["amount_cents"], owed["due_cents"]) == ("on_account", 10000, 0)
    assert invoice["total_incl_vat_cents"] == 10550
    assert invoice["due_on"] == "2027-04-21"  # 30 days (INVOICING_ACCOUNT_PAYMENT_DAYS)
    assert (invoice["paid_cents"], invoice["outstanding_cents"]) == (550, 10000)
    assert invoice["status"] == "unpaid"
    listed = await client.get("/api/v1/invoices", headers=desk)
    summary = listed.json()["items"][0]
    assert (summary["due_on"], summary["outstanding_cents"]) == ("2027-04-21", 10000)
    [sale] = [e for e in await entries(client, manager) if e["document_ref"] == ticket["number"]]
    assert balanced(sale)
    assert postings(sale) == [
        (CASH, 550, 0),
        (CLIENTS, 10000, 0),
        (GOODS_20, 0, 8792),
        (VAT_20, 0, 1758),
    ]
    [receivable] = [line for line in sale["lines"] if line["account_number"] == CLIENTS]
    assert receivable["aux_number"] == "C000001"
    assert receivable["aux_label"] == "Atelier Dupont SARL"
    assert all(line["aux_number"] is None for line in sale["lines"] if line is not receivable)
    pdf = await client.get(f"/api/v1/invoices/{invoice['id']}/pdf", headers=desk)
    text = pdf_text(pdf.content)
    assert "Net à payer : 100,00 €" in text
    assert "Date d'échéance : 21/04/2027" in text
    assert "au plus tard le 21/04/2027" in text
    _, xml = facturx.get_xml_from_pdf(pdf.content, check_xsd=True)
    root = etree.fromstring(xml)
    assert root.findtext(".//ram:DueDateDateTime/udt:DateTimeString", namespaces=NS) == "20270421"
    assert root.findtext(".//ram:DuePayableAmount", namespaces=NS) == "100.00"


async def test_partial_then_full_payment_brings_411_back_to_zero(
    client: AsyncClient,
    desk: dict[str, str],
    manager: dict[str, str],
    session: AsyncSession,
    auth_headers: AuthHeaders,
) -> None:
    till = await open_till(client, manager)
    atelier = await company(client, desk)
    ticket = await sold_on_account(client, manager, till, atelier)
    invoice = await invoice_of_ticket(client, desk, str(ticket["id"]))
    clock.pin(paris(2027, 4, 2, 15))
    desk, manager = await auth_headers(Role.receptionist), await auth_headers(Role.manager)

    first = await pay(
        client, manager, invoice["id"], method="bank_transfer", amount_cents=4000,
        received_on="2027-03-30", reference="VIR ATELIER DUPONT",
    )  # fmt: skip
    partly = (await client.get(f"/api/v1/invoices/{invoice['id']}", headers=desk)).json()
    above = await pay(client, manager, invoice["id"], method="cash", amount_cents=6551)
    after_refusal = (await client.get(f"/api/v1/invoices/{invoice['id']}", headers=desk)).json()
    rest = await pay(client, manager, invoice["id"], method="cash", amount_cents=6550)
    paid = (await client.get(f"/api/v1/invoices/{invoice['id']}", headers=desk)).json()
    again = await pay(client, manager, invoice["id"], method="cash", amount_cents=1)
    await run_outbox()

    assert first.status_code == 201, first.text
    assert (first.json()["outstanding_cents"], first.json()["status"]) == (6550, "partly_paid")
    assert (partly["paid_cents"], partly["outstanding_cents"]) == (4000, 6550)
    assert partly["status"] == "partly_paid"
    _refused(above, 409, "amount_above_outstanding")
    assert above.json()["outstanding_cents"] == 6550
    assert after_refusal["outstanding_cents"] == 6550
    assert rest.status_code == 201, rest.text
    assert (paid["paid_cents"], paid["outstanding_cents"], paid["status"]) == (10550, 0, "paid")
    _refused(again, 409, "amount_above_outstanding")
    assert await count(session, InvoiceSettlement) == 2
    assert await count(session, Payment, Payment.subject_kind == "invoice") == 2
    found = await entries(client, manager)
    transfer = next(e for e in found if e["journal"] == "BQ")
    in_cash = next(e for e in found if e["journal"] == "CA")
    assert transfer["entry_date"] == "2027-03-30"  # the day the money arrived
    assert postings(transfer) == [(BANK, 4000, 0), (CLIENTS, 0, 4000)]
    assert postings(in_cash) == [(CASH, 6550, 0), (CLIENTS, 0, 6550)]
    assert transfer["lines"][1]["aux_number"] == in_cash["lines"][1]["aux_number"] == "C000001"
    assert all(balanced(e) for e in found)
    assert await ledger_balance(client, manager, 2027) == 0
    day = await client.get(
        "/api/v1/payments/daily-summary", params={"date": "2027-04-02"}, headers=manager
    )
    taken = {m["method"]: m["taken_cents"] for m in day.json()["methods"]}
    assert taken == {"bank_transfer": 4000, "cash": 6550}  # recorded that day


async def test_a_credit_note_lowers_what_is_owed_and_is_booked_off_411(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    till = await open_till(client, manager)
    atelier = await company(client, desk)
    ticket = await sold_on_account(client, manager, till, atelier)
    invoice = await invoice_of_ticket(client, desk, str(ticket["id"]))
    cream = invoice["lines"][0]

    note = await client.post(
        f"/api/v1/invoices/{invoice['id']}/credit-notes",
        json={"reason": "Crème abîmée", "lines": [{"line_id": cream["id"], "quantity": 1}]},
        headers=manager,
    )
    await pay(client, manager, invoice["id"], method="bank_transfer", amount_cents=5000)
    too_much = await client.post(
        f"/api/v1/invoices/{invoice['id']}/credit-notes",
        json={"reason": "Tout", "full": True},
        headers=manager,
    )
    read = (await client.get(f"/api/v1/invoices/{invoice['id']}", headers=desk)).json()
    await run_outbox()

    assert note.status_code == 201, note.text
    assert note.json()["total_incl_vat_cents"] == 3000
    _refused(too_much, 409, "credit_above_outstanding")
    assert too_much.json()["outstanding_cents"] == 2550
    assert (read["outstanding_cents"], read["status"]) == (2550, "partly_paid")
    [credit] = [
        e for e in await entries(client, manager) if e["document_ref"] == note.json()["number"]
    ]
    assert credit["journal"] == "VE"
    assert balanced(credit)
    assert postings(credit) == [(CLIENTS, 0, 3000), (GOODS_20, 2500, 0), (VAT_20, 500, 0)]
    assert credit["lines"][0]["aux_number"] == "C000001"
    assert await ledger_balance(client, manager, 2027) == 2550


async def test_a_sale_on_account_is_not_returned_at_the_till(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    till = await open_till(client, manager)
    atelier = await company(client, desk)
    ticket = await sold_on_account(client, manager, till, atelier)
    order = await client.get(f"/api/v1/sales/orders/{ticket['order_id']}", headers=manager)
    line = order.json()["lines"][0]

    refund = await client.post(
        f"/api/v1/sales/tickets/{ticket['id']}/refund",
        json={"reason": "Retour", "lines": [{"line_id": line["id"], "quantity": 1}]},
        headers=manager,
    )

    _refused(refund, 409, "sold_on_account")


async def test_the_receivables_report_ages_each_clients_debt_and_ties_to_the_ledger(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    till = await open_till(client, manager)
    atelier = await company(client, desk)
    zen = await company(client, desk, "Zen Conseil SAS", first_name="Paul")
    old = await sold_on_account(client, manager, till, atelier)  # due 21/04
    clock.pin(paris(2027, 5, 10, 11))
    desk, manager = await auth_headers(Role.receptionist), await auth_headers(Role.manager)
    recent = await sold_on_account(client, manager, till, atelier, cash_cents=550)  # due 09/06
    theirs = await sold_on_account(client, manager, till, zen)
    old_invoice = await invoice_of_ticket(client, desk, str(old["id"]))
    await pay(
        client, manager, old_invoice["id"], method="bank_transfer", amount_cents=2550,
        received_on="2027-05-10",
    )  # fmt: skip
    await run_outbox()

    before = await report(client, manager, "2027-03-31")
    today = await report(client, manager, "2027-05-10")
    later = await report(client, manager, "2027-08-01")

    assert before["outstanding_cents"] == 10550 == before["ledger_balance_cents"]
    assert [c["company"] for c in before["clients"]] == ["Atelier Dupont SARL"]
    assert before["aging"]["not_due_cents"] == 10550
    assert today["outstanding_cents"] == 8000 + 10000 + 10550
    assert today["ledger_balance_cents"] == today["outstanding_cents"]
    assert await ledger_balance(client, manager, 2027, through="2027-05-10") == 28550
    atelier_row, zen_row = today["clients"]
    assert (atelier_row["company"], zen_row["company"]) == (
        "Atelier Dupont SARL",
        "Zen Conseil SAS",
    )
    assert atelier_row["aux_number"] != zen_row["aux_number"]
    assert [i["number"] for i in atelier_row["invoices"]] == [
        old_invoice["number"],
        (await invoice_of_ticket(client, desk, str(recent["id"])))["number"],
    ]
    first = atelier_row["invoices"][0]
    assert (first["paid_cents"], first["outstanding_cents"], first["days_overdue"]) == (
        2550,
        8000,
        19,
    )
    assert atelier_row["aging"]["days_1_30_cents"] == 8000
    assert atelier_row["aging"]["not_due_cents"] == 10000
    assert zen_row["outstanding_cents"] == 10550
    assert (await invoice_of_ticket(client, desk, str(theirs["id"])))["status"] == "unpaid"
    assert later["aging"]["over_90_cents"] == 8000  # 102 days after 21/04
    assert later["aging"]["days_31_60_cents"] == 10000 + 10550  # 53 days after 09/06
    assert later["ledger_balance_cents"] == later["outstanding_cents"]


async def test_the_fec_of_a_year_with_sales_on_account_passes_the_validator(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    till = await open_till(client, manager)
    atelier = await company(client, desk)
    ticket = await sold_on_account(client, manager, till, atelier, cash_cents=550)
    invoice = await invoice_of_ticket(client, desk, str(ticket["id"]))
    await pay(client, manager, invoice["id"], method="bank_transfer", amount_cents=4000)
    await client.post(
        f"/api/v1/invoices/{invoice['id']}/credit-notes",
        json={"reason": "Geste", "lines": [{"line_id": invoice["lines"][1]["id"], "quantity": 1}]},
        headers=manager,
    )
    await run_outbox()

    exported = await client.post("/api/v1/accounting/fec/2027", headers=manager)

    assert exported.status_code == 200, exported.text
    name = exported.headers["content-disposition"].split('filename="')[1].rstrip('"')
    checked = validate(name, exported.content, year=2027)
    assert checked.ok, checked.problems
    rows = [r.split("\t") for r in exported.content.decode("iso8859_15").split("\r\n")[1:] if r]
    clients = [r for r in rows if r[4] == CLIENTS]
    assert len(clients) == 3  # the sale, the transfer, the credit note
    assert {(r[6], r[7]) for r in clients} == {("C000001", "Atelier Dupont SARL")}
    assert all(r[6] == r[7] == "" for r in rows if r[4] != CLIENTS)


async def test_only_managers_record_payments_and_read_the_receivables(
    client: AsyncClient, auth_headers: AuthHeaders, manager: dict[str, str], desk: dict[str, str]
) -> None:
    till = await open_till(client, manager)
    atelier = await company(client, desk)
    ticket = await sold_on_account(client, manager, till, atelier)
    invoice = await invoice_of_ticket(client, desk, str(ticket["id"]))
    practitioner = await auth_headers(Role.practitioner)
    body = {"method": "bank_transfer", "amount_cents": 100}

    for headers in (desk, practitioner):
        paid = await pay(client, headers, invoice["id"], **body)
        read = await client.get(
            "/api/v1/accounting/receivables", params={"as_of": "2027-03-22"}, headers=headers
        )
        assert (paid.status_code, read.status_code) == (403, 403), (paid.text, read.text)
    anonymous = await pay(client, {}, invoice["id"], **body)
    assert anonymous.status_code == 401
    owner = await pay(client, await auth_headers(Role.owner), invoice["id"], **body)
    assert owner.status_code == 201, owner.text


async def test_a_payment_on_an_invoice_paid_at_the_desk_or_dated_wrong_is_refused(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str], session: AsyncSession
) -> None:
    till = await open_till(client, manager)
    atelier = await company(client, desk)
    order = await order_for(client, manager, till, atelier)
    await tender(client, manager, order["id"], method="cash")
    paid_ticket = await complete(client, manager, order["id"])
    owed_ticket = await sold_on_account(client, manager, till, atelier)
    paid_invoice = await invoice_of_ticket(client, desk, str(paid_ticket["id"]))
    owed = await invoice_of_ticket(client, desk, str(owed_ticket["id"]))

    not_owed = await pay(client, manager, paid_invoice["id"], method="cash", amount_cents=100)
    future = await pay(
        client, manager, owed["id"], method="cash", amount_cents=100, received_on="2027-03-23"
    )
    before = await pay(
        client, manager, owed["id"], method="cash", amount_cents=100, received_on="2027-03-21"
    )
    cheque = await pay(client, manager, owed["id"], method="cheque", amount_cents=100)

    assert (paid_invoice["status"], paid_invoice["due_on"]) == ("paid", None)
    _refused(not_owed, 409, "invoice_not_on_account")
    _refused(future, 422, "validation_error")
    _refused(before, 422, "validation_error")
    _refused(cheque, 422, "validation_error")
    assert await count(session, InvoiceSettlement) == 0
