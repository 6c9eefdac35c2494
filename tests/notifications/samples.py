"""Every template with the data it gets in production, in each of its variants: the one set
of sample contexts the text tests and the secrets test render."""

from __future__ import annotations

from typing import Any

from app.core.urls import site_url
from app.notifications.handlers import manage_url
from app.notifications.templates import deposit_words
from tests.bookings.salon import paris

START = paris(2027, 3, 22, 9)
TOKEN = "eyJiIjoiMDE5M2Ex+/Zz==.c2lnbmF0dXJl_-"  # a token with every character that needs care
SERVICES = "0193a1b2-0000-7000-8000-000000000001,0193a1b2-0000-7000-8000-000000000002"


def sample_booking(token: str = TOKEN, **changes: Any) -> dict[str, Any]:
    return {
        "when": "lundi 22 mars 2027 à 9 h 00",
        "when_short": "22/03 à 9h00",
        "when_relative": "demain",
        "time": "9 h 00",
        "services": "Soin visage éclat, Beauté des mains",
        "practitioners": "Léa",
        "at_home": False,
        "home_address": None,
        "total": "90,00\u00a0€",
        "paid_cents": 0,
        "paid": "0,00\u00a0€",
        "due_cents": 9000,
        "due": "90,00\u00a0€",
        "manage_url": manage_url(token),
    } | changes


def money(refunded: int = 0, to_card: int = 0, kept: int = 0) -> dict[str, Any]:
    def shown(cents: int) -> str:
        return f"{cents // 100},{cents % 100:02d}\u00a0€"

    return {
        "refunded_cents": refunded,
        "refunded": shown(refunded),
        "to_gift_card_cents": to_card,
        "to_gift_card": shown(to_card),
        "kept_cents": kept,
        "kept": shown(kept),
    }


def sample_card(**changes: Any) -> dict[str, Any]:
    return {
        "recipient_name": "Maman",
        "buyer_name": "Bruno Petit",
        "value": "100,00\u00a0€",
        "message": "Bon anniversaire, profite bien !",
        "hint": "HR4C",
        "balance": "42,00\u00a0€",
        "expires": "20/03/2028",
        "to_buyer": False,
    } | changes


def receipt(**changes: Any) -> dict[str, Any]:
    return {
        "buyer_name": "Bruno Petit",
        "recipient_name": "Maman",
        "recipient_email": "maman@example.fr",
        "value": "100,00\u00a0€",
        "paid": "100,00\u00a0€",
        "method": "par carte bancaire",
        "paid_on": "15/03/2027",
        "deliver_on": "20/03/2027",
        "message": "Bon anniversaire, profite bien !",
        "expires": "20/03/2028",
        "attached": False,
    } | changes


def sales_receipt(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "note",
        "number": "2027-000042",
        "date": "22/03/2027",
        "time": "10:30",
        "total": "81,10\u00a0€",
        "duplicate": None,
    } | changes


def invoice(**changes: Any) -> dict[str, Any]:
    return {
        "title": "facture",
        "number": "F2027-000042",
        "date": "22/03/2027",
        "total": "81,10\u00a0€",
        "credits": None,
    } | changes


def overdue_invoice(**changes: Any) -> dict[str, Any]:
    return {
        "number": "F2027-000042",
        "date": "22/03/2027",
        "company": "Atelier Dupont SARL",
        "total": "105,50\u00a0€",
        "outstanding": "75,50\u00a0€",
        "due_on": "21/04/2027",
        "late_penalty": "En cas de retard de paiement, pénalités au taux de trois fois le taux"
        " d'intérêt légal.",
        "indemnity": "40,00\u00a0€",
        "url": site_url("compte", "factures", "F2027-000042"),
    } | changes


SHARE = "https://serenaia.example/reservation?parrainage=CAMILLE-7K3P"


def referral(**changes: Any) -> dict[str, Any]:
    """A referral code's words (a welcome code, or the referrer's reward)."""
    return {
        "code": "BIENV-K7QM-3XPA",
        "value": "10,00\u00a0€",
        "minimum": "30,00\u00a0€",
        "ends": "15/06/2027",
        "booking_url": "https://serenaia.example/reservation",
    } | changes


CARD_URL = site_url("abonnement", "carte", query={"token": "abc"})  # as the core's samples


def dunning(**changes: Any) -> dict[str, Any]:
    """A failed membership renewal as its dunning messages see it."""
    return {
        "plan": "Abonnement soins visage",
        "amount": "39,00\u00a0€",
        "failed_on": "lundi 1er mars 2027",
        "reason": "la banque indique un solde insuffisant",
        "hard": False,
        "retries_done": 0,
        "next_retry_on": "jeudi 4 mars 2027",
        "suspend_on": "mardi 16 mars 2027",
        "suspend_short": "16/03",
        "suspended_on": "mardi 16 mars 2027",
        "cancel_on": "mercredi 31 mars 2027",
        "cancel_short": "31/03",
        "cancelled_on": "mercredi 31 mars 2027",
        "cancelled_short": "31/03",
        "card_url": CARD_URL,
    } | changes


def contexts(
    *, manage_token: str = TOKEN, link_token: str = TOKEN, card_message: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Each template with the data it gets in production, in each of its variants (the
    secrets test passes live-looking tokens and a gift card code in the buyer's message)."""

    def booking(**changes: Any) -> dict[str, Any]:
        return sample_booking(manage_token, **changes)

    def card(**changes: Any) -> dict[str, Any]:
        return sample_card(**({"message": card_message} if card_message else {}) | changes)

    paid = booking(paid_cents=2700, paid="27,00\u00a0€", due_cents=6300, due="63,00\u00a0€")
    at_home = booking(at_home=True, home_address="5 allée des Tilleuls, 69003 Lyon")
    offer = {
        "when": "lundi 22 mars 2027 à 9 h 00",
        "when_short": "22/03 à 9h00",
        "services": "Soin visage éclat",
        "book_url": site_url("reserver", query={"services": SERVICES, "debut": START.isoformat()}),
    }
    common = {"notice_hours": 24, "deposit": deposit_words("arrhes")}
    link = site_url("mot-de-passe", "nouveau", query={"token": link_token})
    return [
        ("booking_confirmed", common | {"booking": booking()}),
        ("booking_confirmed", common | {"booking": at_home}),
        ("booking_confirmed", common | {"booking": paid | {"practitioners": ""}}),
        ("deposit_received", common | {"booking": paid}),
        ("deposit_received", common | {"booking": paid, "deposit": deposit_words("acompte")}),
        ("deposit_received", common | {"booking": paid | {"due_cents": 0}}),
        ("booking_reminder", common | {"booking": at_home}),
        ("booking_reminder", common | {"booking": booking()}),
        ("booking_moved", common | {"booking": booking(), "old_when": "mardi 16 mars à 9 h 00"}),
        ("booking_cancelled", common | {"booking": booking(), "money": money()}),
        ("booking_cancelled", common | {"booking": paid, "money": money(refunded=2700)}),
        ("booking_cancelled", common | {"booking": paid, "money": money(kept=2700)}),
        ("booking_cancelled", common | {"booking": paid, "money": money(2000, 4000, 2700)}),
        ("waitlist_offer", {"offer": offer}),
        ("password_reset", {"first_name": "Inès", "link": link, "minutes": 60}),
        ("welcome", {"first_name": "Inès", "link": link, "minutes": 60}),
        ("gift_card", {"card": card()}),
        ("gift_card", {"card": card(message=None)}),
        ("gift_card_receipt", {"receipt": receipt()}),
        ("gift_card_receipt", {"receipt": receipt(recipient_email=None, attached=True)}),
        ("gift_card_receipt", {"receipt": receipt(message=None)}),
        ("gift_card_expiring", {"card": card()}),
        ("gift_card_expiring", {"card": card(to_buyer=True, recipient_name="Maman")}),
        ("package_purchased", {"package": package()}),
        ("package_purchased", {"package": package(sessions=1, remaining=1)}),
        ("package_sessions_left", {"package": package(remaining=3)}),
        ("package_sessions_left", {"package": package(remaining=1)}),
        ("package_sessions_left", {"package": package(remaining=0)}),
        ("package_expiring", {"package": package(remaining=2)}),
        ("subscription_confirmed", {"subscription": subscription()}),
        ("subscription_renewed", {"subscription": subscription()}),
        ("subscription_action_required", {"subscription": subscription()}),
        ("subscription_paused", {"subscription": subscription()}),
        ("subscription_resumed", {"subscription": subscription()}),
        ("subscription_cancelled", {"subscription": subscription()}),
        ("subscription_card_link", {"subscription": subscription()}),
        ("sales_receipt", {"note": sales_receipt()}),
        ("sales_receipt", {"note": sales_receipt(duplicate=2, kind="avoir")}),
        ("invoice", {"invoice": invoice()}),
        ("invoice", {"invoice": invoice(title="avoir", number="AV2027-3", credits="F2027-42")}),
        ("invoice_overdue", {"invoice": overdue_invoice()}),
        ("referral_welcome", {"referral": referral(referrer_first_name="Camille")}),
        ("referral_welcome", {"referral": referral(referrer_first_name="Camille", minimum=None)}),
        ("referral_reward", {"referral": referral(friend_first_name="Léa", share_url=SHARE)}),
        (
            "referral_reward_withdrawn",
            {
                "referral": {
                    "friend_first_name": "Léa",
                    "code": "MERCI-K7QM-3XPA",
                    "share_url": SHARE,
                }
            },
        ),
        ("birthday", {}),
        ("reactivation", {}),
        ("dunning_payment_failed", {"dunning": dunning()}),
        ("dunning_payment_failed", {"dunning": dunning(retries_done=2, next_retry_on=None)}),
        (
            "dunning_payment_failed",
            {"dunning": dunning(hard=True, reason="la carte est signalée perdue ou volée")},
        ),
        ("dunning_suspended", {"dunning": dunning(retries_done=3, next_retry_on=None)}),
        ("dunning_cancelled", {"dunning": dunning(retries_done=3, next_retry_on=None)}),
        ("custom", {"subject": "Fermeture", "text": "Le salon ferme le 1er mai.\n\nÀ bientôt !"}),
        ("loyalty_points_earned", {"loyalty": {"points": 105, "balance": 340}}),
        (
            "loyalty_threshold",
            {"loyalty": {"missing": 50, "reward": "Soin offert", "balance": 450, "cost": 500}},
        ),
        (
            "loyalty_tier_changed",
            {
                "loyalty": {
                    "tier": "Silver",
                    "up": True,
                    "perks": "Un soin découverte offert par an",
                    "multiplier": "1,25",
                    "rule": "Votre niveau est recalculé chaque nuit.",
                }
            },
        ),
        (
            "loyalty_tier_changed",
            {
                "loyalty": {
                    "tier": "Bronze",
                    "up": False,
                    "perks": "",
                    "multiplier": "1",
                    "rule": "Votre niveau est recalculé chaque nuit.",
                }
            },
        ),
        (
            "loyalty_points_expiring",
            {"loyalty": {"points": 80, "expires": "22/03/2028", "balance": 110}},
        ),
    ]


def subscription(**extra: Any) -> dict[str, Any]:
    """A membership as its messages see it."""
    return {
        "plan": "Abonnement soins",
        "price": "59,00 €",
        "interval": "mois",
        "period_end": "29/09/2027",
        "resumes": "29/11/2027",
        "pay_url": "https://invoice.stripe.com/i/acct_x/in_1",
        "amount": "59,00 €",
        "card_url": "https://www.serenaia-beaute.fr/abonnement/carte?token=abc",
        **extra,
    }


def package(sessions: int = 11, remaining: int = 11) -> dict[str, Any]:
    """A package as its messages see it ("10 UV + 1 offerte")."""
    return {
        "name": "10 UV + 1 offerte",
        "sessions": sessions,
        "remaining": remaining,
        "price": "150,00 €",
        "expires": "29/09/2028",
    }
