"""`.env.example` documents every setting, and nothing that does not exist."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings

from app.core.config import Settings


def _variables() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        section = field.default_factory() if field.default_factory else None
        assert isinstance(section, BaseSettings), name
        prefix = section.model_config.get("env_prefix", "")
        names |= {f"{prefix}{key}".upper() for key in type(section).model_fields}
    return names


def test_env_example_lists_every_variable() -> None:
    documented = {
        line.split("=", 1)[0]
        for line in Path(".env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    assert documented == _variables()


def test_every_provider_has_a_base_url_setting() -> None:
    variables = _variables()
    for name in (
        "STRIPE_API_BASE",
        "PAYPAL_API_BASE",
        "SUMUP_API_BASE",
        "OVH_ENDPOINT",
        "RESEND_API_BASE",
        "STORAGE_EMULATOR_HOST",
    ):
        assert name in variables
