"""The rules of each event's entry, case by case, on payloads (the flows through the API are
in test_books.py and test_deposits.py): what a multi-purpose card, a transfer, PayPal, a tip
and a no-show fee write."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from app.accounting import postings
from app.accounting.models import JournalCode
from app.core.ids import new_id
from app.giftcards.public import CardExpired
from app.payments.public import DepositKept, PaymentRefunded, PaymentTaken
from app.sales.public import SoldLine, SoldTender, TicketIssued

AT = datetime(2027, 3, 22, 9, tzinfo=UTC)


def _lines(draft: postings.Draft) -> list[tuple[str, int, int]]:
    return [(x.account_key, x.debit_cents, x.credit_cents) for x in draft.lines]


def _taken(method: str, purpose: str, subject: str = "booking", **extra: object) -> PaymentTaken:
    return PaymentTaken(
        payment_id=new_id(),
        subject_kind=subject,
        subject_id=new_id(),
        amount_cents=int(str(extra.pop("amount", 5000))),
        method=method,
        purpose=purpose,
        **extra,  # type: ignore[arg-type]
    )


def test_a_multi_purpose_card_is_sold_without_vat_and_spent_with_it() -> None:
    sold = postings.payment(
        _taken("paypal", "full", "gift_card"), AT, "multi_purpose", paid_with=None
    )
    card_payment = new_id()
    ticket = TicketIssued(
        kind="ticket",
        journal_record_id=new_id(),
        number="T2027-000009",
        issued_at=AT.isoformat(),
        order_id=new_id(),
        booking_id=None,
        client_id=None,
        corrects_number=None,
        lines=[
            SoldLine(
                kind="service",
                item_id=None,
                label="Soin",
                quantity=1,
                amount_incl_vat_cents=5000,
                amount_excl_vat_cents=4167,
                vat_rate=Decimal("20.00"),
                practitioner_id=None,
            )
        ],
        total_excl_vat_cents=4167,
        total_incl_vat_cents=5000,
        tenders=[SoldTender(method="gift_card", amount_cents=5000, payment_id=card_payment)],
        tips=[],
    )

    spent = postings.ticket(ticket, {card_payment: "multi_purpose"})

    assert (sold.journal, _lines(sold)) == (
        JournalCode.paypal,
        [("paypal", 5000, 0), ("gift_cards", 0, 5000)],
    )
    assert _lines(spent) == [
        ("gift_cards", 5000, 0),
        ("services_20", 0, 4167),
        ("vat_20", 0, 833),
    ]
    assert spent.balanced
    assert sold.balanced


def test_a_transfer_a_tip_and_a_no_show_fee_go_to_their_accounts() -> None:
    transfer = postings.payment(
        _taken("bank_transfer", "balance", amount=9500, tip_cents=500), AT, None, paid_with=None
    )
    tip = postings.payment(_taken("cash", "tip", amount=300), AT, None, paid_with=None)
    fee = postings.payment(_taken("stripe", "no_show_fee", amount=1200), AT, None, paid_with=None)

    assert (transfer.journal, _lines(transfer)) == (
        JournalCode.bank,
        [("bank", 9500, 0), ("deposits", 0, 9000), ("tips_owed", 0, 500)],
    )
    assert _lines(tip) == [("cash", 300, 0), ("tips_owed", 0, 300)]
    # A no-show fee that is not arrhes is taxable.
    assert _lines(fee) == [("stripe", 1200, 0), ("services_20", 0, 1000), ("vat_20", 0, 200)]
    assert [line.vat_base_cents for line in fee.lines] == [None, None, -1000]


def test_a_gift_card_paid_back_onto_its_card_and_a_multi_purpose_expiry() -> None:
    card = new_id()
    back = PaymentRefunded(
        payment_id=new_id(),
        refund_id=new_id(),
        amount_cents=2400,
        method="gift_card",
        provider="none",
        purpose="deposit",
        subject_kind="booking",
        subject_id=new_id(),
        refunded_at=AT.isoformat(),
        gift_card_id=card,
    )
    expired = CardExpired(
        gift_card_id=card,
        amount_cents=1000,
        vat_treatment="multi_purpose",
        expired_at=AT.isoformat(),
    )

    refunded = postings.refund(back, None, paid_with="single_purpose")
    lapsed = postings.gift_card_expiry(expired)

    # Back onto a single-purpose card: its liability without VAT, and the VAT it holds.
    assert _lines(refunded) == [("deposits", 2400, 0), ("gift_cards", 0, 2000), ("vat_20", 0, 400)]
    assert _lines(lapsed) == [("gift_cards", 1000, 0), ("other_income", 0, 1000)]
    assert isinstance(lapsed.gift_card_id, UUID)


def test_an_acompte_kept_is_revenue_with_its_vat() -> None:
    kept = DepositKept(
        payment_id=new_id(),
        booking_id=new_id(),
        amount_cents=3000,
        method="stripe",
        terms="acompte",
        kept_at=AT.isoformat(),
    )

    draft = postings.deposit_kept(kept)

    assert draft.label == "Acompte conservé"
    assert _lines(draft) == [("deposits", 3000, 0), ("services_20", 0, 2500), ("vat_20", 0, 500)]


def test_an_acompte_whose_vat_was_collected_at_receipt_is_kept_without_it() -> None:
    kept = DepositKept(
        payment_id=new_id(),
        booking_id=new_id(),
        amount_cents=3000,
        method="stripe",
        terms="acompte",
        kept_at=AT.isoformat(),
    )

    draft = postings.deposit_kept(kept, vat_collected=True)

    assert _lines(draft) == [("deposits", 2500, 0), ("services_20", 0, 2500)]
    assert draft.balanced


def test_arrhes_are_held_gross_and_an_acompte_without_its_vat() -> None:
    arrhes = postings.payment(
        _taken("stripe", "deposit", deposit_terms="arrhes", amount=3000), AT, None, paid_with=None
    )
    acompte = postings.payment(
        _taken("stripe", "deposit", deposit_terms="acompte", amount=3000), AT, None, paid_with=None
    )
    # The terms only matter for a deposit: a balance paid online is an advance, gross.
    balance = postings.payment(
        _taken("stripe", "balance", deposit_terms="acompte", amount=3000), AT, None, paid_with=None
    )

    assert _lines(arrhes) == [("stripe", 3000, 0), ("deposits", 0, 3000)]
    assert _lines(acompte) == [("stripe", 3000, 0), ("deposits", 0, 2500), ("vat_20", 0, 500)]
    assert acompte.lines[-1].vat_base_cents == -2500
    assert _lines(balance) == [("stripe", 3000, 0), ("deposits", 0, 3000)]
