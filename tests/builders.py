"""The first builders' import path, kept so existing tests import from here: they live in
tests/factories/<domain>.py now (see tests/factories/__init__.py)."""

from __future__ import annotations

from tests.factories.auth import (
    DEFAULT_PASSWORD,
    AuthHeaders,
    auth_headers,
    login,
    make_user,
    sign_up,
    verify_email,
)
from tests.factories.core import settings_changed
from tests.factories.giftcards import sell_gift_card
from tests.factories.notifications import deliver_messages

__all__ = [
    "DEFAULT_PASSWORD",
    "AuthHeaders",
    "auth_headers",
    "deliver_messages",
    "login",
    "make_user",
    "sell_gift_card",
    "settings_changed",
    "sign_up",
    "verify_email",
]
