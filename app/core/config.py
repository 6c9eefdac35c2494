"""Settings, one section per concern, each read from plain prefixed environment variables.

Read them through `get_settings()`; never at import time, so tests and the CLI can set the
environment first.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = PROJECT_ROOT / "var"


def _section(prefix: str) -> SettingsConfigDict:
    # An empty value (`STRIPE_SECRET_KEY=` as in .env.example) means "not set".
    return SettingsConfigDict(
        env_prefix=prefix,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
    )


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]


class AppSettings(BaseSettings):
    model_config = _section("APP_")

    env: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    log_json: bool = True
    cors_origins: CsvList = Field(default_factory=lambda: ["http://localhost:3000"])
    trusted_hosts: CsvList = Field(default_factory=lambda: ["*"])
    https_only: bool = False
    # Where providers reach this API (the SumUp reader's result callback) and the absolute
    # address of the links it hands out (calendar feeds).
    public_url: str = "http://localhost:8000"
    # Peers (addresses or networks) whose X-Forwarded-For is believed: the reverse proxy and
    # the public site's server. Anyone else is the client herself.
    trusted_proxies: CsvList = Field(default_factory=lambda: ["127.0.0.1", "::1"])

    _split = field_validator("cors_origins", "trusted_hosts", "trusted_proxies", mode="before")(
        _split_csv
    )

    # --- the production process model (`python -m app.cli serve`, docs/scaling.md) ---
    # API worker processes; unset: one per CPU core.
    workers: int | None = Field(default=None, ge=1, le=64)
    # On SIGTERM (or a SIGHUP restart) a worker stops accepting, then waits this long for the
    # requests in flight before closing them.
    graceful_timeout_seconds: int = Field(default=20, ge=1, le=600)


class DatabaseSettings(BaseSettings):
    model_config = _section("DATABASE_")

    url: str | None = None
    pool_size: int = Field(default=10, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    echo: bool = False
    # --- read replica and connection budget (docs/scaling.md) ---
    # Reports and accounting exports read through this URL (a replica); unset: DATABASE_URL.
    read_url: str | None = None
    # Connections the Celery workers and beat may hold together, counted by the startup check
    # `APP_WORKERS x (POOL_SIZE + MAX_OVERFLOW) + this + RESERVED ≤ max_connections`.
    celery_connections: int = Field(default=10, ge=0)
    # Connections kept free for migrations, psql and PostgreSQL's own superuser slots.
    reserved_connections: int = Field(default=10, ge=0)


class RedisSettings(BaseSettings):
    model_config = _section("REDIS_")

    url: str | None = None
    key_prefix: str = "salon"


class SecuritySettings(BaseSettings):
    model_config = _section("SECURITY_")

    secret_key: SecretStr | None = None
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    password_reset_minutes: int = 60
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    login_ip_limit: int = 30
    login_ip_window_seconds: int = 300
    # Only tests lower these: production keeps argon2's recommended costs.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    idempotency_ttl_hours: int = 24


@dataclass(frozen=True, slots=True)
class Rate:
    """At most `count` events per `seconds`."""

    count: int
    seconds: int


_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _parse_rate(value: object) -> object:
    """`"20/hour"` → Rate(20, 3600); the period is second, minute, hour, day or seconds."""
    if not isinstance(value, str):
        return value
    count, _, period = value.partition("/")
    period = period.strip()
    seconds = _PERIODS.get(period) or (int(period) if period.isdigit() else 0)
    if not count.strip().isdigit() or int(count) < 1 or seconds < 1:
        raise ValueError(f"{value!r} is not a rate such as 20/hour")
    return Rate(int(count), seconds)


RateSetting = Annotated[Rate, NoDecode, BeforeValidator(_parse_rate)]


class LimitSettings(BaseSettings):
    """Abuse limits of the public flows, per client address and per contact (e-mail, phone),
    as `<count>/<period>`. Staff signed in are never limited by these."""

    model_config = _section("LIMITS_")

    booking_per_address: RateSetting = Rate(20, 3600)
    booking_per_contact: RateSetting = Rate(20, 86400)
    waitlist_per_address: RateSetting = Rate(10, 3600)
    waitlist_per_contact: RateSetting = Rate(5, 86400)
    gift_card_checkout_per_address: RateSetting = Rate(10, 3600)
    gift_card_checkout_per_contact: RateSetting = Rate(10, 86400)
    coupon_validation_per_address: RateSetting = Rate(30, 900)
    coupon_validation_per_contact: RateSetting = Rate(30, 900)
    signup_per_address: RateSetting = Rate(10, 3600)
    signup_per_contact: RateSetting = Rate(5, 3600)
    password_reset_per_address: RateSetting = Rate(10, 3600)
    password_reset_per_contact: RateSetting = Rate(3, 3600)

    def rates(self, flow: str) -> tuple[Rate, Rate]:
        """The (per address, per contact) rates of a public flow."""
        rates: tuple[Rate, Rate] = (
            getattr(self, f"{flow}_per_address"),
            getattr(self, f"{flow}_per_contact"),
        )
        return rates


class AdminSettings(BaseSettings):
    model_config = _section("ADMIN_")

    email: str | None = None
    password: SecretStr | None = None


class SentrySettings(BaseSettings):
    model_config = _section("SENTRY_")

    dsn: SecretStr | None = None
    environment: str | None = None
    traces_sample_rate: float = 0.0


class SalonSettings(BaseSettings):
    model_config = _section("SALON_")

    name: str = "Sérénaia Beauté"
    timezone: str = "Europe/Paris"
    currency: str = "EUR"
    address: str = "12 rue des Lilas, 69006 Lyon"
    # The legal identity every receipt prints (arrêté 83-50/A; CGI ann. II 242 nonies A).
    siret: str = "000 000 000 00000"
    vat_number: str = "FR00000000000"
    public_url: str = "http://localhost:3000"
    email: str = "bonjour@serenaia.example"
    phone: str = "+33478000000"
    # The salon's colour on documents (gift card PDFs) and e-mails.
    brand_color: str = "#8C6D5A"
    # Check-in and no-show can be recorded from this many minutes before a visit's start.
    status_opens_minutes: int = Field(default=60, ge=0, le=24 * 60)


class InvoicingSettings(BaseSettings):
    """The salon's legal identity on its invoices beyond SALON_NAME, _ADDRESS, _SIRET and
    _VAT_NUMBER, and the mentions the law asks (docs/invoicing.md)."""

    model_config = _section("INVOICING_")

    legal_form: str = "SAS"
    share_capital: str = "10 000 €"
    siren: str = "000000000"
    rcs_city: str = "Lyon"
    payment_terms: str = "Paiement comptant à réception, sans escompte."
    late_penalty: str = (
        "En cas de retard de paiement, pénalités au taux de trois fois le taux d'intérêt légal."
    )
    # The fixed indemnity for recovery costs owed by a business client paying late (40 €).
    recovery_indemnity_cents: int = Field(default=4000, ge=0)
    # A sale on account to a business client is due this many days after its invoice
    # (Code de commerce L441-10: at most 60 days).
    account_payment_days: int = Field(default=30, ge=0, le=60)
    # "Option pour le paiement de la taxe d'après les débits" is printed when opted.
    vat_on_debits: bool = False


class PaymentSettings(BaseSettings):
    model_config = _section("PAYMENTS_")

    # What a receptionist may refund on one payment, all her refunds and others' together;
    # above it a manager or the owner refunds. 0: receptionists never refund.
    receptionist_refund_limit_cents: int = Field(default=10_000, ge=0, le=100_000_000)
    # How many days back the daily payout sync reads SumUp's payouts list (a payout already
    # recorded is not recorded again, so the window may overlap the previous run's).
    payout_sync_days: int = Field(default=7, ge=1, le=90)


class StripeSettings(BaseSettings):
    model_config = _section("STRIPE_")

    secret_key: SecretStr | None = None
    publishable_key: str | None = None
    webhook_secret: SecretStr | None = None
    api_base: str = "https://api.stripe.com"


class PayPalSettings(BaseSettings):
    model_config = _section("PAYPAL_")

    client_id: str | None = None
    client_secret: SecretStr | None = None
    webhook_id: str | None = None
    api_base: str = "https://api-m.sandbox.paypal.com"


class SumUpSettings(BaseSettings):
    model_config = _section("SUMUP_")

    api_key: SecretStr | None = None
    merchant_code: str | None = None
    webhook_secret: SecretStr | None = None
    api_base: str = "https://api.sumup.com"


class OvhSettings(BaseSettings):
    model_config = _section("OVH_")

    endpoint: str = "ovh-eu"
    application_key: str | None = None
    application_secret: SecretStr | None = None
    consumer_key: SecretStr | None = None
    sms_service_name: str | None = None
    sms_sender: str = "SERENAIA"


class ResendSettings(BaseSettings):
    model_config = _section("RESEND_")

    api_key: SecretStr | None = None
    api_base: str = "https://api.resend.com"
    sender: str = "Sérénaia Beauté <bonjour@serenaia.example>"
    webhook_secret: SecretStr | None = None


class NotificationSettings(BaseSettings):
    model_config = _section("NOTIFICATIONS_")

    reminder_hours: int = Field(default=24, ge=1, le=24 * 7)
    max_attempts: int = Field(default=6, ge=1, le=20)


class GiftCardSettings(BaseSettings):
    model_config = _section("GIFTCARDS_")

    validity_months: int = Field(default=12, ge=1, le=60)
    vat_treatment: Literal["single_purpose", "multi_purpose"] = "single_purpose"
    expiry_reminder_days: int = Field(default=30, ge=1, le=180)


class LoyaltySettings(BaseSettings):
    """The loyalty programme (app/loyalty, docs/loyalty.md)."""

    model_config = _section("LOYALTY_")

    # Each grant of points expires this many months after it was earned.
    points_validity_months: int = Field(default=12, ge=1, le=60)
    # Clients are told this many days before their points expire (once per grant).
    expiry_reminder_days: int = Field(default=30, ge=1, le=180)
    # Tiers are computed on the spend and visits of this many last months.
    tier_period_months: int = Field(default=12, ge=1, le=36)
    # A reward's personal code is valid this many days.
    reward_code_days: int = Field(default=90, ge=1, le=730)


class StorageSettings(BaseSettings):
    model_config = _section("STORAGE_")

    backend: Literal["local", "gcs"] = "local"
    local_dir: Path = VAR_DIR / "storage"
    gcs_bucket: str | None = None
    emulator_host: str | None = None


class JournalSettings(BaseSettings):
    """The till's inalterable journal (app/journal, docs/till.md)."""

    model_config = _section("JOURNAL_")

    # Key id -> secret, as JSON (`{"2026-12": "..."}`). Old keys stay listed to verify old
    # records; production must set them (never stored in the database).
    signing_keys: dict[str, SecretStr] | None = None
    # The key that signs new records; may be left out when there is one key.
    signing_key_id: str | None = None
    # A day left open is closed (Z) from this local hour on; the previous days at any hour.
    auto_close_hour: int = Field(default=23, ge=0, le=23)
    archive_dir: Path = VAR_DIR / "journal"


class SalesSettings(BaseSettings):
    """The till's orders (app/sales, docs/till.md)."""

    model_config = _section("SALES_")

    # A receptionist's manual discount, as a share of what is discounted (a line or the
    # order); managers and the owner are not limited.
    receptionist_discount_percent: int = Field(default=20, ge=0, le=100)


class AccountingSettings(BaseSettings):
    """The books (app/accounting, docs/accounting.md)."""

    model_config = _section("ACCOUNTING_")

    # The salon's SIREN (9 digits): it names the FEC file (LPF A47 A-1).
    siren: str = Field(default="000000000", pattern=r"^[0-9]{9}$")


class ReferralSettings(BaseSettings):
    """Referrals (app/referrals, docs/referrals.md): what the friend and the referrer get."""

    model_config = _section("REFERRALS_")

    # The friend's welcome: a personal code, a fixed amount unless a percentage is set.
    welcome_amount_cents: int = Field(default=1000, ge=1)
    welcome_percent: Decimal | None = Field(default=None, gt=0, le=100)
    welcome_min_basket_cents: int = Field(default=3000, ge=0)
    welcome_validity_days: int = Field(default=90, ge=1, le=730)
    # The referrer's reward, once the friend's first paid visit is in.
    reward_amount_cents: int = Field(default=1500, ge=1)
    reward_percent: Decimal | None = Field(default=None, gt=0, le=100)
    reward_min_basket_cents: int = Field(default=0, ge=0)
    reward_validity_days: int = Field(default=180, ge=1, le=730)
    # Rewards a referrer may earn per calendar month (salon time); past it: `monthly_limit`.
    max_rewards_per_month: int = Field(default=5, ge=0)
    # A visit counts once it paid at least this much, and is taken back when refunds bring it
    # below.
    min_visit_cents: int = Field(default=2000, ge=1)


class PackageSettings(BaseSettings):
    """Packages of sessions (app/packages, docs/packages.md)."""

    model_config = _section("PACKAGES_")

    # The validity and refund policy an offer takes when its body names none.
    default_validity_months: int = Field(default=12, ge=1, le=60)
    default_refund_policy: Literal["unit_price", "pro_rata", "none"] = "unit_price"
    # Clients are told once, this many days before a package with sessions left expires.
    expiry_reminder_days: int = Field(default=30, ge=1, le=180)


class CacheSettings(BaseSettings):
    """The slot cache and the cached public reads (app/core/cache.py, docs/performance.md)."""

    model_config = _section("CACHE_")

    # auto: Redis when REDIS_URL is set, else this process's memory; or force one; off:
    # every search and public read is computed (the answers are the same).
    backend: Literal["auto", "redis", "memory", "off"] = "auto"
    # Entries are keyed by versions every change bumps; the TTL only bounds the store's size.
    ttl_seconds: int = Field(default=600, ge=1, le=86400)
    # `Cache-Control: public, max-age=N, must-revalidate` on the public catalog reads.
    public_max_age: int = Field(default=10, ge=0, le=3600)


class DunningSettings(BaseSettings):
    """Failed renewals of memberships (app/subscriptions/dunning.py, docs/subscriptions.md,
    "Dunning"). Days count from the local date of the failure (J+0); each step of a day
    happens from `hour` local time."""

    model_config = _section("DUNNING_")

    # The client is told on these days after the failure (e-mail and SMS, with a card link).
    reminder_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [3, 7, 15, 30])
    # Our own retries of the invoice (Stripe's Smart Retries are off), at most max_retries of
    # these days; never after a hard decline (only a new card helps, and it earns one retry).
    retry_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [3, 7, 14])
    max_retries: int = Field(default=3, ge=0, le=10)
    # The membership's entitlements are suspended, then it is cancelled, on these days.
    suspend_after_days: int = Field(default=15, ge=1, le=90)
    cancel_after_days: int = Field(default=30, ge=1, le=120)
    # The local hour from which a day's steps run (no message at night).
    hour: int = Field(default=10, ge=0, le=23)
    # Where staff alerts go; the salon's address (SALON_EMAIL) when unset.
    staff_email: str | None = None

    @field_validator("reminder_days", "retry_days", mode="before")
    @classmethod
    def _days(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("reminder_days", "retry_days")
    @classmethod
    def _sorted_days(cls, value: list[int]) -> list[int]:
        if any(day < 1 for day in value):
            raise ValueError("days count from 1 (the day after the failure)")
        return sorted(set(value))

    @model_validator(mode="after")
    def _in_order(self) -> DunningSettings:
        if self.cancel_after_days < self.suspend_after_days:
            raise ValueError("DUNNING_CANCEL_AFTER_DAYS comes before DUNNING_SUSPEND_AFTER_DAYS")
        return self


class Settings(BaseSettings):
    """Every setting of the service, grouped in sections."""

    model_config = SettingsConfigDict(extra="ignore")

    app: AppSettings = Field(default_factory=AppSettings)
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)
    sentry: SentrySettings = Field(default_factory=SentrySettings)
    salon: SalonSettings = Field(default_factory=SalonSettings)
    invoicing: InvoicingSettings = Field(default_factory=InvoicingSettings)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)
    stripe: StripeSettings = Field(default_factory=StripeSettings)
    paypal: PayPalSettings = Field(default_factory=PayPalSettings)
    sumup: SumUpSettings = Field(default_factory=SumUpSettings)
    ovh: OvhSettings = Field(default_factory=OvhSettings)
    resend: ResendSettings = Field(default_factory=ResendSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    giftcards: GiftCardSettings = Field(default_factory=GiftCardSettings)
    loyalty: LoyaltySettings = Field(default_factory=LoyaltySettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    journal: JournalSettings = Field(default_factory=JournalSettings)
    sales: SalesSettings = Field(default_factory=SalesSettings)
    accounting: AccountingSettings = Field(default_factory=AccountingSettings)
    referrals: ReferralSettings = Field(default_factory=ReferralSettings)
    packages: PackageSettings = Field(default_factory=PackageSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    dunning: DunningSettings = Field(default_factory=DunningSettings)

    @property
    def secret_key(self) -> str:
        """The signing key for tokens and links.

        Production must set SECURITY_SECRET_KEY. Elsewhere a key is generated once and kept in
        `var/secret_key`, so tokens survive a restart of `make run`.
        """
        if self.security.secret_key is not None:
            return self.security.secret_key.get_secret_value()
        if self.app.env == "production":
            raise RuntimeError("SECURITY_SECRET_KEY must be set in production")
        return _local_secret_key()

    @property
    def journal_keys(self) -> tuple[str, dict[str, bytes]]:
        """The id of the key that signs journal records, and every key that verifies them.

        Production must set JOURNAL_SIGNING_KEYS. Elsewhere a key `derived` comes from the
        secret key (as sealing's keys do), kept to verify when real keys are set later.
        """
        journal = self.journal
        configured = {
            key_id: secret.get_secret_value().encode()
            for key_id, secret in (journal.signing_keys or {}).items()
        }
        if not configured and self.app.env == "production":
            raise RuntimeError("JOURNAL_SIGNING_KEYS must be set in production")
        keys = dict(configured)
        if self.app.env != "production":
            keys.setdefault(
                "derived", hashlib.sha256(b"journal:" + self.secret_key.encode()).digest()
            )
        current = journal.signing_key_id
        if current is None:
            current = next(iter(configured)) if len(configured) == 1 else None
            current = "derived" if not configured else current
        if current is None or current not in keys:
            raise RuntimeError("JOURNAL_SIGNING_KEY_ID must name one of JOURNAL_SIGNING_KEYS")
        return current, keys


@lru_cache(maxsize=1)
def _local_secret_key() -> str:
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
