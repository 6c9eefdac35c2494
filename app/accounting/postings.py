"""What each event writes in the books, as drafts of entries: pure functions of the events'
payloads (docs/accounting.md writes every case out). A draft names account roles
(app/accounting/chart.py); the service maps them to the accountant's accounts, dates,
numbers and stores them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from uuid import UUID

from app.accounting import chart
from app.accounting.models import JournalCode, SourceKind
from app.core.money import vat_included
from app.core.timeutils import zone
from app.giftcards.public import CardExpired
from app.invoicing.public import CreditNoteOnAccount
from app.payments.public import (
    DepositKept,
    PaymentRefunded,
    PaymentTaken,
    PayoutFailed,
    PayoutReceived,
    ProviderFeeKnown,
)
from app.sales.public import SoldTender, TicketIssued

SINGLE = "single_purpose"
# A booking's deposit paid as an acompte: a part payment of the service, its VAT due at
# receipt (CGI 269-2-c). Arrhes stay gross in 4191 (an indemnity if kept: C-277/05).
ACOMPTE = "acompte"


@dataclass(frozen=True, slots=True)
class Aux:
    """A business client's auxiliary account (CompAuxNum, CompAuxLib of the FEC)."""

    number: str
    label: str


@dataclass(frozen=True, slots=True)
class DraftLine:
    account_key: str
    label: str
    debit_cents: int
    credit_cents: int
    # On a VAT line: the taxable base it is on, signed like the line (debit positive).
    vat_base_cents: int | None = None
    aux: Aux | None = None  # on a client line (411)


@dataclass(slots=True)
class Draft:
    journal: JournalCode
    at: datetime
    label: str
    document_ref: str
    source_kind: SourceKind
    source_key: str
    journal_record_id: UUID | None = None
    payment_id: UUID | None = None
    refund_id: UUID | None = None
    gift_card_id: UUID | None = None
    payout_id: UUID | None = None
    lines: list[DraftLine] = field(default_factory=list)

    def add(
        self,
        account_key: str,
        signed_debit: int,
        label: str | None = None,
        *,
        vat_base: int | None = None,
        aux: Aux | None = None,
    ) -> None:
        """A debit when positive, a credit when negative; nothing when zero. A VAT line
        carries its base (`vat_base`, same sign), which the VAT return reads; a client line
        its auxiliary account (`aux`)."""
        if signed_debit:
            debit, credit = max(signed_debit, 0), max(-signed_debit, 0)
            text = label or self.label
            self.lines.append(DraftLine(account_key, text, debit, credit, vat_base, aux))

    @property
    def balanced(self) -> bool:
        debit = sum(line.debit_cents for line in self.lines)
        return debit == sum(line.credit_cents for line in self.lines) and len(self.lines) >= 2


def _gift_card_side(draft: Draft, signed: int, treatment: str | None) -> None:
    """Money moving on the gift-card liability. A single-purpose card's VAT was collected
    when it was sold: the liability holds its amount without VAT, and spending it gives the
    VAT back to 44571 (the ticket collects it again on what is sold)."""
    if treatment == SINGLE:
        vat = vat_included(signed, chart.STANDARD_RATE)
        draft.add(chart.GIFT_CARDS, signed - vat)
        draft.add(chart.vat_collected(chart.STANDARD_RATE), vat, vat_base=signed - vat)
    else:
        draft.add(chart.GIFT_CARDS, signed)


def _deposit_side(draft: Draft, signed: int, treatment: str | None) -> None:
    """Money moving on the client advances (4191). An acompte's VAT was collected when it was
    received: 4191 holds it without VAT, and using it at the ticket (or refunding it) gives
    the VAT back to 44571. Every salon service is at the standard rate, so the acompte's is."""
    if treatment == ACOMPTE:
        vat = vat_included(signed, chart.STANDARD_RATE)
        draft.add(chart.DEPOSITS, signed - vat)
        draft.add(chart.vat_collected(chart.STANDARD_RATE), vat, vat_base=signed - vat)
    else:
        draft.add(chart.DEPOSITS, signed)


def _money_side(
    draft: Draft, method: str, signed: int, treatment: str | None, aux: Aux | None = None
) -> None:
    """`signed` cents into (positive) or out of (negative) the account of `method`; what a
    business client owes on account goes to her auxiliary account (`aux`) in 411."""
    if method == "on_account":
        draft.add(chart.CLIENTS, signed, aux=aux)
    elif method == "gift_card":
        _gift_card_side(draft, signed, treatment)
    elif method == "deposit":
        _deposit_side(draft, signed, treatment)
    else:
        draft.add(chart.method_account(method), signed)


def _tender_treatment(tender: SoldTender, treatments: dict[UUID, str]) -> str | None:
    return treatments.get(tender.payment_id) if tender.payment_id else None


def ticket(event: TicketIssued, treatments: dict[UUID, str], client: Aux | None = None) -> Draft:
    """A ticket (a credit ticket, with minus amounts): the tenders' accounts on one side,
    706/707 and 44571 per VAT rate on the other; tips go to what is owed to staff.
    `treatments`: the VAT treatment of the gift card behind each gift-card payment, and
    `ACOMPTE` for a deposit tender whose payment collected its VAT at receipt; `client`:
    the business client's auxiliary account, for what she owes on account (411)."""
    credit = event.kind == "credit_ticket"
    draft = Draft(
        journal=JournalCode.sales,
        at=datetime.fromisoformat(event.issued_at),
        label=f"{'Avoir' if credit else 'Ticket'} {event.number}",
        document_ref=event.number,
        source_kind=SourceKind.credit_ticket if credit else SourceKind.ticket,
        source_key=f"ticket:{event.journal_record_id}",
        journal_record_id=event.journal_record_id,
    )
    for tender in event.tenders:
        signed = tender.amount_cents + tender.tip_cents
        _money_side(draft, tender.method, signed, _tender_treatment(tender, treatments), client)
    by_account: dict[str, int] = {}
    bases: dict[str, int] = {}
    for line in event.lines:
        revenue = chart.revenue(line.kind, line.vat_rate)
        vat = chart.vat_collected(line.vat_rate)
        by_account[revenue] = by_account.get(revenue, 0) + line.amount_excl_vat_cents
        vat_cents = line.amount_incl_vat_cents - line.amount_excl_vat_cents
        by_account[vat] = by_account.get(vat, 0) + vat_cents
        bases[vat] = bases.get(vat, 0) + line.amount_excl_vat_cents
    for key, amount in sorted(by_account.items()):
        base = bases.get(key)
        draft.add(key, -amount, vat_base=None if base is None else -base)
    tips = sum(tip.amount_cents for tip in event.tips)
    draft.add(chart.TIPS_OWED, -tips, f"Pourboires {event.number}")
    return draft


def _payment_label(subject_kind: str, purpose: str | None, treatment: str | None = None) -> str:
    if subject_kind == "gift_card":
        return "Vente carte cadeau"
    if purpose == "deposit" and treatment == ACOMPTE:
        return "Acompte réservation"
    return {
        "deposit": "Arrhes réservation",
        "balance": "Règlement réservation",
        "full": "Règlement réservation",
        "tip": "Pourboire",
        "no_show_fee": "Frais d'absence",
    }.get(purpose or "", "Règlement réservation")


def payment(
    event: PaymentTaken, at: datetime, treatment: str | None, *, paid_with: str | None
) -> Draft:
    """Money taken for a booking or a gift card (an order's money is in its ticket). It sits
    in the method's account; a booking's is a client advance (4191) until the ticket of the
    visit, a card's a liability until spent, a tip is owed to staff, a no-show fee is taxable
    revenue; an acompte collects its VAT now. `treatment`: the VAT treatment of the card
    bought; `paid_with`: of the card that paid (method gift_card)."""
    if event.purpose == "deposit" and event.deposit_terms == ACOMPTE:
        treatment = ACOMPTE
    draft = Draft(
        journal=chart.method_journal(event.method),
        at=at,
        label=_payment_label(event.subject_kind, event.purpose, treatment),
        document_ref=str(event.payment_id),
        source_kind=SourceKind.payment,
        source_key=f"payment:{event.payment_id}",
        payment_id=event.payment_id,
        gift_card_id=event.subject_id if event.subject_kind == "gift_card" else None,
    )
    _money_side(draft, event.method, event.amount_cents, paid_with)
    _what_was_paid(
        draft, event.subject_kind, event.purpose, -event.amount_cents, event.tip_cents, treatment
    )
    return draft


def _what_was_paid(
    draft: Draft,
    subject_kind: str,
    purpose: str | None,
    signed: int,
    tip: int,
    treatment: str | None,
) -> None:
    """The other side of money taken (`signed` negative: a credit) or given back."""
    sign = -1 if signed < 0 else 1
    if subject_kind == "gift_card":
        _gift_card_side(draft, signed, treatment)
    elif purpose == "tip":
        draft.add(chart.TIPS_OWED, signed)
    elif purpose == "no_show_fee":
        rate = chart.STANDARD_RATE
        vat = vat_included(signed, rate)
        draft.add(chart.revenue("service", rate), signed - vat)
        draft.add(chart.vat_collected(rate), vat, vat_base=signed - vat)
    else:
        _deposit_side(draft, signed - sign * tip, treatment if purpose == "deposit" else None)
        draft.add(chart.TIPS_OWED, sign * tip)


def refund(event: PaymentRefunded, treatment: str | None, *, paid_with: str | None) -> Draft:
    """Money given back on a booking's or a gift card's payment: the entry of the payment,
    reversed, through the same method's account (an order's refunds are in its credit
    ticket). `treatment`: of the card bought, or `ACOMPTE` when the payment collected its
    VAT at receipt (the refund gives it back)."""
    label = _payment_label(event.subject_kind, event.purpose, treatment).lower()
    draft = Draft(
        journal=chart.method_journal(event.method),
        at=datetime.fromisoformat(event.refunded_at),
        label=f"Remboursement {label}",
        document_ref=str(event.refund_id),
        source_kind=SourceKind.refund,
        source_key=f"refund:{event.refund_id}",
        payment_id=event.payment_id,
        refund_id=event.refund_id,
        gift_card_id=event.subject_id if event.subject_kind == "gift_card" else None,
    )
    _what_was_paid(draft, event.subject_kind, event.purpose, event.amount_cents, 0, treatment)
    _money_side(draft, event.method, -event.amount_cents, paid_with)
    return draft


def gift_card_expiry(event: CardExpired) -> Draft:
    """What lapsed leaves the liability as other operating income (758); a single-purpose
    card's VAT, collected at the sale, stays collected."""
    draft = Draft(
        journal=JournalCode.misc,
        at=datetime.fromisoformat(event.expired_at),
        label="Carte cadeau expirée",
        document_ref=str(event.gift_card_id),
        source_kind=SourceKind.gift_card_expiry,
        source_key=f"gift_card_expiry:{event.gift_card_id}",
        gift_card_id=event.gift_card_id,
    )
    lapsed = event.amount_cents
    if event.vat_treatment == SINGLE:
        lapsed -= vat_included(lapsed, chart.STANDARD_RATE)
    draft.add(chart.GIFT_CARDS, lapsed)
    draft.add(chart.OTHER_INCOME, -lapsed)
    return draft


def deposit_kept(event: DepositKept, *, vat_collected: bool = False) -> Draft:
    """A booking cancelled late keeps its deposit: arrhes are an indemnity outside the scope
    of VAT (CJEC C-277/05), to 758 without VAT; an acompte is the price of the service,
    revenue with its VAT. `vat_collected`: the acompte's payment collected its VAT at
    receipt (4191 holds it without VAT), so only its amount without VAT moves to 706."""
    draft = Draft(
        journal=JournalCode.misc,
        at=datetime.fromisoformat(event.kept_at),
        label="Arrhes conservées" if event.terms == "arrhes" else "Acompte conservé",
        document_ref=str(event.payment_id),
        source_kind=SourceKind.deposit_kept,
        source_key=f"deposit_kept:{event.payment_id}",
        payment_id=event.payment_id,
    )
    if event.terms == "arrhes":
        draft.add(chart.DEPOSITS, event.amount_cents)
        draft.add(chart.KEPT_DEPOSITS, -event.amount_cents)
    elif vat_collected:
        rate = chart.STANDARD_RATE
        excl = event.amount_cents - vat_included(event.amount_cents, rate)
        draft.add(chart.DEPOSITS, excl)
        draft.add(chart.revenue("service", rate), -excl)
    else:
        draft.add(chart.DEPOSITS, event.amount_cents)
        rate = chart.STANDARD_RATE
        vat = vat_included(event.amount_cents, rate)
        draft.add(chart.revenue("service", rate), -(event.amount_cents - vat))
        draft.add(chart.vat_collected(rate), -vat, vat_base=-(event.amount_cents - vat))
    return draft


def invoice_payment(event: PaymentTaken, at: datetime, client: Aux | None, number: str) -> Draft:
    """What a business client paid on an invoice sold on account: the money in the method's
    account (512 for a transfer, 530 for cash), off her auxiliary account in 411. `at`: the
    day the money arrived; `number`: the invoice's."""
    draft = Draft(
        journal=chart.method_journal(event.method),
        at=at,
        label=f"Règlement facture {number}",
        document_ref=number,
        source_kind=SourceKind.payment,
        source_key=f"payment:{event.payment_id}",
        payment_id=event.payment_id,
    )
    _money_side(draft, event.method, event.amount_cents, None)
    draft.add(chart.CLIENTS, -event.amount_cents, aux=client)
    return draft


def credit_note(event: CreditNoteOnAccount, client: Aux | None) -> Draft:
    """A credit note lowering what a business client owes on an invoice sold on account: the
    revenue and VAT of its lines given back, off her auxiliary account in 411."""
    draft = Draft(
        journal=JournalCode.sales,
        at=datetime.fromisoformat(event.issued_at),
        label=f"Avoir {event.number} sur facture {event.invoice_number}",
        document_ref=event.number,
        source_kind=SourceKind.credit_note,
        source_key=f"credit_note:{event.credit_note_id}",
    )
    draft.add(chart.CLIENTS, -event.total_incl_vat_cents, aux=client)
    by_account: dict[str, int] = {}
    bases: dict[str, int] = {}
    for line in event.lines:
        revenue = chart.revenue(line.kind, line.vat_rate)
        vat = chart.vat_collected(line.vat_rate)
        by_account[revenue] = by_account.get(revenue, 0) + line.amount_excl_vat_cents
        by_account[vat] = by_account.get(vat, 0) + (
            line.amount_incl_vat_cents - line.amount_excl_vat_cents
        )
        bases[vat] = bases.get(vat, 0) + line.amount_excl_vat_cents
    for key, amount in sorted(by_account.items()):
        draft.add(key, amount, vat_base=bases.get(key))
    return draft


_PROVIDER_NAMES = {"stripe": "Stripe", "sumup": "SumUp", "paypal": "PayPal"}


def provider_fee(event: ProviderFeeKnown) -> Draft:
    """A provider's fee reported with the payment (PayPal's, at capture): an expense, out
    of the clearing account that received the payment gross; the payout does not book it
    again."""
    name = _PROVIDER_NAMES.get(event.provider, event.provider)
    draft = Draft(
        journal=chart.method_journal(event.method),
        at=datetime.fromisoformat(event.known_at),
        label=f"Frais {name} sur encaissement",
        document_ref=str(event.payment_id),
        source_kind=SourceKind.provider_fee,
        source_key=f"provider_fee:{event.payment_id}",
        payment_id=event.payment_id,
    )
    draft.add(chart.FEES, event.fee_cents)
    draft.add(chart.method_account(event.method), -event.fee_cents)
    return draft


def _on(day: date) -> datetime:
    """Midday of a salon date: the entry is dated that day whatever the zone."""
    return datetime.combine(day, time(12), tzinfo=zone())


def _payout_draft(
    kind: SourceKind, event: PayoutReceived | PayoutFailed, at: datetime, label: str
) -> Draft:
    return Draft(
        journal=JournalCode.bank,
        at=at,
        label=f"{label} {_PROVIDER_NAMES.get(event.provider, event.provider)} {event.reference}",
        document_ref=event.reference,
        source_kind=kind,
        source_key=f"{kind}:{event.payout_id}",
        payout_id=event.payout_id,
    )


def payout_received(event: PayoutReceived) -> Draft:
    """A payout reached the bank (journal BQ, dated its arrival): the net to 512, the fees
    the provider withheld to 627800 (less those booked at capture), the clearing account
    emptied of both. A negative payout (the provider debits the bank) is the same, signs
    reversed."""
    draft = _payout_draft(
        SourceKind.payout, event, _on(date.fromisoformat(event.arrival_date)), "Virement"
    )
    fees = event.fee_cents - event.fees_booked_cents
    draft.add(chart.BANK, event.net_cents)
    draft.add(chart.FEES, fees, f"Frais {draft.label}")
    draft.add(chart.provider_account(event.provider), -(event.net_cents + fees))
    return draft


def payout_failed(event: PayoutFailed) -> Draft:
    """A payout the bank sent back: the net returns from 512 to the provider's clearing
    account. Its fees stay expensed (the provider kept them on the payments it carried); a
    payout that failed before it was ever recorded as paid books only those fees."""
    draft = _payout_draft(
        SourceKind.payout_failed, event, datetime.fromisoformat(event.failed_at), "Virement rejeté"
    )
    clearing = chart.provider_account(event.provider)
    if event.arrived:
        draft.add(clearing, event.net_cents)
        draft.add(chart.BANK, -event.net_cents)
    else:
        fees = event.fee_cents - event.fees_booked_cents
        draft.add(chart.FEES, fees, f"Frais {draft.label}")
        draft.add(clearing, -fees)
    return draft
