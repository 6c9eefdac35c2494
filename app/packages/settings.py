"""The packages domain's settings (PACKAGES_*), read when needed, never at import."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PackageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PACKAGES_", extra="ignore")

    # The validity and refund policy an offer takes when its body names none.
    default_validity_months: int = Field(default=12, ge=1, le=60)
    default_refund_policy: Literal["unit_price", "pro_rata", "none"] = "unit_price"
    # Clients are told once, this many days before a package with sessions left expires.
    expiry_reminder_days: int = Field(default=30, ge=1, le=180)


def package_settings() -> PackageSettings:
    return PackageSettings()
