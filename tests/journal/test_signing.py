"""Where the journal's keys come from: settings, never the database; production sets them."""

from __future__ import annotations

import pytest

from app.core.config import get_settings
from tests.builders import settings_changed


def test_production_refuses_to_sign_without_journal_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    settings_changed(monkeypatch, APP_ENV="production")

    with pytest.raises(RuntimeError, match="JOURNAL_SIGNING_KEYS"):
        _ = get_settings().journal_keys


def test_production_signs_with_the_key_it_names_and_keeps_the_others_to_verify(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings_changed(
        monkeypatch,
        APP_ENV="production",
        JOURNAL_SIGNING_KEYS='{"2026-01": "old-secret", "2026-12": "new-secret"}',
        JOURNAL_SIGNING_KEY_ID="2026-12",
    )

    current, keys = get_settings().journal_keys

    assert current == "2026-12"
    assert keys == {"2026-01": b"old-secret", "2026-12": b"new-secret"}  # no derived key


def test_several_keys_and_none_named_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    settings_changed(monkeypatch, JOURNAL_SIGNING_KEYS='{"a": "one", "b": "two"}')

    with pytest.raises(RuntimeError, match="JOURNAL_SIGNING_KEY_ID"):
        _ = get_settings().journal_keys


def test_elsewhere_a_key_is_derived_from_the_secret_key() -> None:
    current, keys = get_settings().journal_keys

    assert current == "derived"
    assert len(keys["derived"]) == 32
