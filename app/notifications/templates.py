"""The French texts clients receive, as Jinja2 templates (`app/notifications/templates/`).

Each template has an e-mail (subject, plain text, HTML extending `base.html`) and, when it
fits in a text message, an SMS version that must stay within two SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.core.config import get_settings
from app.core.timeutils import zone
from app.notifications.models import Channel, Kind
from app.notifications.sms import MAX_SEGMENTS, measure, to_gsm

TEMPLATE_DIR = Path(__file__).parent / "templates"
# OVH appends its STOP mention (about 20 characters) to every marketing SMS.
STOP_CLAUSE_ROOM = 20


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    kind: Kind
    channels: frozenset[Channel]
    description: str


BOTH = frozenset({Channel.email, Channel.sms})
EMAIL = frozenset({Channel.email})
TEMPLATES: dict[str, TemplateSpec] = {
    "booking_confirmed": TemplateSpec(Kind.service, BOTH, "A booking is confirmed"),
    "deposit_received": TemplateSpec(Kind.service, BOTH, "The deposit is paid: confirmed"),
    "booking_reminder": TemplateSpec(Kind.service, BOTH, "Reminder before the visit"),
    "booking_moved": TemplateSpec(Kind.service, BOTH, "A booking moved to another time"),
    "booking_cancelled": TemplateSpec(Kind.service, BOTH, "A booking is cancelled"),
    "waitlist_offer": TemplateSpec(Kind.service, BOTH, "A slot freed up for the waitlist"),
    "password_reset": TemplateSpec(Kind.service, EMAIL, "Password reset link"),
    "welcome": TemplateSpec(Kind.service, EMAIL, "Welcome and e-mail confirmation"),
    "gift_card": TemplateSpec(Kind.service, EMAIL, "A gift card, its PDF attached"),
    "gift_card_receipt": TemplateSpec(
        Kind.service, EMAIL, "The buyer's receipt (with the card when she hands it over)"
    ),
    "gift_card_expiring": TemplateSpec(Kind.service, EMAIL, "A gift card expires soon"),
    "package_purchased": TemplateSpec(Kind.service, EMAIL, "A package is bought and active"),
    "package_sessions_left": TemplateSpec(Kind.service, BOTH, "Sessions left after a visit"),
    "package_expiring": TemplateSpec(Kind.service, BOTH, "A package with sessions left expires"),
    "subscription_confirmed": TemplateSpec(Kind.service, EMAIL, "A membership's first payment"),
    "subscription_renewed": TemplateSpec(Kind.service, EMAIL, "A membership renewed and paid"),
    "subscription_action_required": TemplateSpec(
        Kind.service, BOTH, "A membership payment needs 3-D Secure: the link to pay"
    ),
    "subscription_paused": TemplateSpec(Kind.service, EMAIL, "A membership is paused"),
    "subscription_resumed": TemplateSpec(Kind.service, EMAIL, "A paused membership resumes"),
    "subscription_cancelled": TemplateSpec(Kind.service, EMAIL, "A membership ended"),
    "subscription_card_link": TemplateSpec(
        Kind.service, BOTH, "Made at the desk: the link to save the card that pays it"
    ),
    "sales_receipt": TemplateSpec(Kind.service, EMAIL, "A ticket's receipt, its PDF attached"),
    "invoice": TemplateSpec(
        Kind.service, EMAIL, "An invoice or credit note, its Factur-X attached"
    ),
    "invoice_overdue": TemplateSpec(
        Kind.service, EMAIL, "An invoice sold on account is overdue: what is owed, penalties"
    ),
    "referral_welcome": TemplateSpec(Kind.service, EMAIL, "A referred friend's welcome code"),
    "referral_reward": TemplateSpec(Kind.service, EMAIL, "The referrer's reward, after the visit"),
    "referral_reward_withdrawn": TemplateSpec(
        Kind.service, EMAIL, "The referrer's reward taken back (the visit was refunded)"
    ),
    "birthday": TemplateSpec(Kind.marketing, BOTH, "Birthday wishes"),
    "reactivation": TemplateSpec(Kind.marketing, BOTH, "We miss you"),
    "custom": TemplateSpec(Kind.service, BOTH, "Free text written by staff"),
    # Loyalty (docs/loyalty.md, "Messages"): her account's movements are service messages;
    # the nudge towards a reward is marketing (consent and unsubscribe apply).
    "loyalty_points_earned": TemplateSpec(Kind.service, EMAIL, "Points earned after a visit"),
    "loyalty_threshold": TemplateSpec(Kind.marketing, EMAIL, "A few points short of a reward"),
    "loyalty_tier_changed": TemplateSpec(Kind.service, EMAIL, "The client's tier changed"),
    "loyalty_points_expiring": TemplateSpec(Kind.service, EMAIL, "Points expire in 30 days"),
    # Dunning of memberships (docs/subscriptions.md, "Dunning"): a renewal left unpaid.
    "dunning_payment_failed": TemplateSpec(
        Kind.service, BOTH, "A membership renewal is unpaid: what failed, what next, a card link"
    ),
    "dunning_suspended": TemplateSpec(
        Kind.service, BOTH, "A membership's entitlements are suspended for an unpaid renewal"
    ),
    "dunning_cancelled": TemplateSpec(
        Kind.service, BOTH, "A membership is cancelled: its renewal stayed unpaid"
    ),
}


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str | None
    text: str
    html: str | None


class SmsTooLong(ValueError):
    pass


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
    )


def salon_context() -> dict[str, Any]:
    salon = get_settings().salon
    return {
        "name": salon.name,
        "short_name": salon.name.split(" ")[0][:20],
        "address": salon.address,
        "phone": salon.phone,
        "email": salon.email,
        "public_url": salon.public_url.rstrip("/"),
    }


def render(template: str, channel: Channel, context: dict[str, Any], *, kind: Kind) -> Rendered:
    """Render one template for one channel. An SMS longer than two SMS is refused."""
    env = _environment()
    full = {"salon": salon_context(), "unsubscribe_url": None} | context
    if channel is Channel.sms:
        text = to_gsm(" ".join(env.get_template(f"{template}/sms.txt").render(full).split()))
        room = STOP_CLAUSE_ROOM if kind is Kind.marketing else 0
        if measure(text + "x" * room).segments > MAX_SEGMENTS:
            raise SmsTooLong(f"{measure(text).units} characters: more than two SMS")
        return Rendered(None, text, None)
    subject = " ".join(env.get_template(f"{template}/subject.txt").render(full).split())
    text = env.get_template(f"{template}/body.txt").render(full).strip() + "\n"
    html = env.get_template(f"{template}/body.html").render(full | {"subject": subject})
    return Rendered(subject, text, html)


_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def french_time(moment: datetime) -> str:
    local = moment.astimezone(zone())
    return f"{local.hour} h {local.minute:02d}"


def french_date(moment: datetime) -> str:
    """« lundi 22 mars 2027 à 9 h 00 », in the salon's time zone."""
    local = moment.astimezone(zone())
    day = "1er" if local.day == 1 else str(local.day)
    return (
        f"{_DAYS[local.weekday()]} {day} {_MONTHS[local.month - 1]} {local.year} "
        f"à {french_time(local)}"
    )


def short_date(moment: datetime) -> str:
    """« 22/03 à 9h00 » for SMS."""
    local = moment.astimezone(zone())
    return f"{local:%d/%m} à {local.hour}h{local.minute:02d}"


def relative_day(moment: datetime, now: datetime) -> str:
    local, today = moment.astimezone(zone()).date(), now.astimezone(zone()).date()
    delta = (local - today).days
    if delta == 0:
        return "aujourd'hui"
    if delta == 1:
        return "demain"
    return f"le {moment.astimezone(zone()):%d/%m}"


# Arrhes or acompte (docs/deposits.md): each message names the money as the booking's terms
# did. « 27,00 € d'arrhes » agrees with the amount, so one sentence serves both words.
_DEPOSIT_WORDS = {
    "arrhes": {"of": "d'arrhes", "the": "les arrhes", "stay": "restent acquises"},
    "acompte": {"of": "d'acompte", "the": "l'acompte", "stay": "reste acquis"},
}


def deposit_words(policy: str | None) -> dict[str, str]:
    return _DEPOSIT_WORDS.get(policy or "arrhes", _DEPOSIT_WORDS["arrhes"])
