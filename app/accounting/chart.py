"""The roles of the account mapping and how money of each kind reaches them: the one place that
says which account a payment method, a VAT rate or a kind of line posts to. The accounts
themselves (number, label) are rows the accountant edits (`accounting_accounts`, seeded by
migration 0029 with the PCG defaults listed in docs/accounting.md)."""

from __future__ import annotations

from decimal import Decimal

from app.accounting.models import JournalCode

# The standard rate of beauty services and cosmetics: the one known rate of a single-purpose
# gift card (CGI 256 ter), and the rate of a no-show fee or a kept acompte.
STANDARD_RATE = Decimal("20.00")
RATES = (Decimal("20.00"), Decimal("10.00"), Decimal("5.50"), Decimal("2.10"))

CASH = "cash"
BANK = "bank"
SUMUP = "sumup"
STRIPE = "stripe"
PAYPAL = "paypal"
DEPOSITS = "deposits"
GIFT_CARDS = "gift_cards"
TIPS_OWED = "tips_owed"
OTHER_INCOME = "other_income"
KEPT_DEPOSITS = "kept_deposits"
# Packages sold, their sessions not used yet (VAT collected at sale): docs/packages.md.
PREPAID_PACKAGES = "prepaid_packages"
# Memberships whose plan includes services, paid for a period not yet elapsed (VAT collected at
# payment): docs/subscriptions.md, "Accounting". Seeded 487100, beside the packages' 487000, so
# the FEC keeps one label per account and each prepayment has its own balance.
PREPAID_MEMBERSHIPS = "prepaid_memberships"
FEES = "fees"
CLIENTS = "clients"
RESULT_PROFIT = "result_profit"
RESULT_LOSS = "result_loss"

# A payment's method (or a ticket's tender) -> the account its money sits in, and the journal
# that records its movements.
_METHODS: dict[str, tuple[str, JournalCode]] = {
    "cash": (CASH, JournalCode.cash),
    "card": (SUMUP, JournalCode.sumup),
    "sumup_terminal": (SUMUP, JournalCode.sumup),
    "stripe": (STRIPE, JournalCode.stripe),
    "paypal": (PAYPAL, JournalCode.paypal),
    "bank_transfer": (BANK, JournalCode.bank),
    "gift_card": (GIFT_CARDS, JournalCode.misc),
    "deposit": (DEPOSITS, JournalCode.misc),
    # Sold on account to a business client: owed on the client's auxiliary account.
    "on_account": (CLIENTS, JournalCode.sales),
}


class UnknownMethod(ValueError):
    pass


def method_account(method: str) -> str:
    try:
        return _METHODS[method][0]
    except KeyError:
        raise UnknownMethod(method) from None


def method_journal(method: str) -> JournalCode:
    try:
        return _METHODS[method][1]
    except KeyError:
        raise UnknownMethod(method) from None


# A provider that pays out (app/payments payouts) -> the clearing account holding its money.
_PROVIDERS = {"sumup": SUMUP, "stripe": STRIPE, "paypal": PAYPAL}


def provider_account(provider: str) -> str:
    try:
        return _PROVIDERS[provider]
    except KeyError:
        raise UnknownMethod(provider) from None


def rate_tag(rate: Decimal) -> str:
    """20.00 -> "20", 5.50 -> "5_5": the rate's part of a role's key."""
    text = format(rate.normalize(), "f")
    return text.replace(".", "_")


def revenue(kind: str, rate: Decimal) -> str:
    """706 for services (and a home visit's travel fee), 707 for goods, per VAT rate; a
    package sold is not revenue yet but a prepayment (487000), its VAT collected at sale."""
    if kind == "package":
        return PREPAID_PACKAGES
    return f"{'goods' if kind == 'product' else 'services'}_{rate_tag(rate)}"


def vat_collected(rate: Decimal) -> str:
    return f"vat_{rate_tag(rate)}"


def default_keys() -> list[str]:
    """Every role the code posts to (the migration seeds one row for each)."""
    per_rate = [
        key
        for rate in RATES
        for key in (revenue("service", rate), revenue("product", rate), vat_collected(rate))
    ]
    fixed = [CASH, BANK, SUMUP, STRIPE, PAYPAL, DEPOSITS, GIFT_CARDS, TIPS_OWED]
    return [
        *per_rate,
        *fixed,
        OTHER_INCOME,
        KEPT_DEPOSITS,
        PREPAID_PACKAGES,
        PREPAID_MEMBERSHIPS,
        FEES,
        CLIENTS,
        RESULT_PROFIT,
        RESULT_LOSS,
    ]
