"""The FEC of a year (LPF A47 A-1): the month of tests/accounting/test_books.py exported, checked
by our validator line by line; exporting locks the year, so a late event goes to the next
one; the next year opens with the à-nouveaux. And the validator itself catches each fault."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from tests.accounting.fec_validator import FIELDS, validate
from tests.accounting.test_books import a_month_of_the_salon
from tests.builders import AuthHeaders
from tests.factories.core import paris, run_outbox, settings_changed
from tests.factories.giftcards import sell_gift_card
from tests.fakes.server import FakeProviders


@pytest.fixture(autouse=True)
def _a_week_before(monkeypatch: pytest.MonkeyPatch) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    settings_changed(monkeypatch, ACCOUNTING_SIREN="812345678")


async def _export(client: AsyncClient, headers: dict[str, str], year: int) -> tuple[str, bytes]:
    answer = await client.post(f"/api/v1/accounting/fec/{year}", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; charset=iso8859_15")
    [name] = re.findall(r'filename="([^"]+)"', answer.headers["content-disposition"])
    return name, answer.content


def _rows(raw: bytes) -> list[dict[str, str]]:
    lines = raw.decode("iso8859_15").split("\r\n")[1:-1]
    return [dict(zip(FIELDS, line.split("\t"), strict=True)) for line in lines]


async def test_the_fec_of_a_year_passes_every_rule_and_locks_the_year(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    made = await a_month_of_the_salon(client, fakes, session, auth_headers)
    manager = made["manager"]
    await run_outbox()

    name, raw = await _export(client, manager, 2027)

    report = validate(name, raw, year=2027)
    assert report.ok, report.problems
    assert name == "812345678FEC20271231.txt"
    assert (report.entries, report.lines) == (3, 2 + 3 + 11)
    assert report.debit_cents == report.credit_cents == 5000 + 2700 + 19055
    rows = _rows(raw)
    ticket = [r for r in rows if r["JournalCode"] == "VE"]
    assert {r["EcritureNum"] for r in ticket} == {"VE000001"}
    assert ticket[0]["EcritureDate"] == "20270322"
    assert ticket[0]["PieceRef"] == "T2027-000001"
    assert ticket[-1]["Credit"] == "5,00"  # the tip owed to staff, decimal comma
    assert ticket[-1]["CompteLib"] == "Personnel - pourboires à reverser"
    periods = await client.get("/api/v1/accounting/periods/2027", headers=manager)
    assert all(p["locked"] for p in periods.json()["periods"])

    # A card sold on the year's last evening is written once the year is exported: into 2028.
    clock.pin(paris(2027, 12, 31, 18))
    manager = await auth_headers(Role.manager)
    await sell_gift_card(client, manager, 4000)
    await run_outbox()

    _, again = await _export(client, manager, 2027)
    name_2028, raw_2028 = await _export(client, manager, 2028)

    assert again == raw  # the exported year never changes
    report = validate(name_2028, raw_2028, year=2028)
    assert report.ok, report.problems
    rows = _rows(raw_2028)
    opening = [r for r in rows if r["JournalCode"] == "AN"]
    assert rows[: len(opening)] == opening  # the à-nouveaux come first
    carried = {r["CompteNum"]: (r["Debit"], r["Credit"]) for r in opening}
    # 2027's balance sheet: cash 50 + 33,55, the reader's 100, Stripe's 27, the card's
    # 16,67 € still owed, 44571 and the tip; its result (revenue) in 120.
    assert carried["530000"] == ("83,55", "0,00")
    assert carried["467100"] == ("100,00", "0,00")
    assert carried["467200"] == ("27,00", "0,00")
    assert carried["419800"] == ("0,00", "16,67")
    assert carried["428600"] == ("0,00", "5,00")
    assert carried["120000"] == ("0,00", "155,83")
    late = next(r for r in rows if r["JournalCode"] == "CA")
    assert (late["EcritureNum"], late["EcritureDate"]) == ("CA000001", "20280101")
    assert late["PieceDate"] == "20271231"
    assert "opération du 31/12/2027" in late["EcritureLib"]
    assert [r["JournalCode"] for r in rows[len(opening) :]] == ["CA", "CA", "CA"]


def test_the_validator_finds_every_fault() -> None:
    header = "\t".join(FIELDS)
    good = [
        "VE\tVentes\tVE000001\t20270322\t530000\tCaisse\t\t\tT1\t20270322\tTicket\t10,00\t0,00"
        "\t\t\t20270322\t\t",
        "VE\tVentes\tVE000001\t20270322\t706100\tPrestations\t\t\tT1\t20270322\tTicket\t0,00"
        "\t10,00\t\t\t20270322\t\t",
    ]
    fine = "\r\n".join([header, *good, ""]).encode("iso8859_15")
    assert validate("812345678FEC20271231.txt", fine, year=2027).ok

    unbalanced = fine.replace(b"\t0,00\t10,00", b"\t0,00\t9,99")
    gap = fine.replace(b"VE000001\t20270322\t706100", b"VE000003\t20270322\t706100")
    dot = fine.replace(b"10,00\t0,00", b"10.00\t0,00")
    date = fine.replace(b"20270322\t530000", b"22/03/2027\t530000")
    extra_tab = fine.replace(b"\tTicket\t10,00", b"\tTic\tket\t10,00")
    header_wrong = fine.replace(b"EcritureLib", b"Libelle")
    other_year = fine.replace(b"20270322\t530000", b"20260322\t530000")
    both_sides = fine.replace(b"10,00\t0,00", b"10,00\t1,00")
    aux = fine.replace(b"Caisse\t\t", b"Caisse\t411CLI\t")

    def problems(raw: bytes, name: str = "812345678FEC20271231.txt") -> str:
        return " | ".join(validate(name, raw, year=2027).problems)

    assert "not balanced" in problems(unbalanced)
    assert "not on consecutive lines" in problems(gap) or "follows" in problems(gap)
    assert "not 0,00-style" in problems(dot)
    assert "not YYYYMMDD" in problems(date)
    assert "not 18" in problems(extra_tab)
    assert "field names" in problems(header_wrong)
    assert "outside the year" in problems(other_year)
    assert "one of Debit and Credit" in problems(both_sides)
    assert "auxiliary account without its label" in problems(aux)
    assert "file name" in problems(fine, "FEC2027.txt")
    assert "closing date" in problems(fine, "812345678FEC20270630.txt")


async def test_an_account_renamed_during_the_year_has_one_label_in_the_file(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    await sell_gift_card(client, manager, 3000)
    await run_outbox()
    renamed = await client.patch(
        "/api/v1/accounting/accounts/cash", json={"label": "Caisse accueil"}, headers=manager
    )
    assert renamed.status_code == 200, renamed.text
    await sell_gift_card(client, manager, 4000)
    await run_outbox()

    name, raw = await _export(client, manager, 2027)

    report = validate(name, raw, year=2027)
    assert report.ok, report.problems
    assert {r["CompteLib"] for r in _rows(raw) if r["CompteNum"] == "530000"} == {"Caisse accueil"}


async def test_the_demo_tills_days_are_in_the_books_and_their_fec_passes(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    from app.seed import load_demo_salon, load_demo_till
    from tests.factories.auth import make_user

    await load_demo_salon()
    await make_user(role=Role.owner)
    await load_demo_till()
    await run_outbox()
    manager = await auth_headers(Role.manager)

    name, raw = await _export(client, manager, 2027)

    report = validate(name, raw, year=2027)
    assert report.ok, report.problems
    rows = _rows(raw)
    tickets = {r["PieceRef"] for r in rows if r["JournalCode"] == "VE"}
    assert len(tickets) == 16  # 15 tickets and a credit ticket
    assert {r["PieceRef"][:2] for r in rows if r["JournalCode"] == "VE"} == {"T2", "TA"}
    assert report.debit_cents == report.credit_cents > 0


async def test_a_year_is_not_exported_while_the_books_still_have_events_to_write(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    made = await a_month_of_the_salon(client, fakes, session, auth_headers)
    manager = made["manager"]

    early = await client.post("/api/v1/accounting/fec/2027", headers=manager)
    periods = await client.get("/api/v1/accounting/periods/2027", headers=manager)

    assert early.status_code == 409, early.text
    assert early.json()["code"] == "books_not_up_to_date"
    assert early.json()["pending_events"] > 0
    assert not any(p["locked"] for p in periods.json()["periods"])  # nothing was locked
    await run_outbox()
    name, raw = await _export(client, manager, 2027)
    assert validate(name, raw, year=2027).ok
