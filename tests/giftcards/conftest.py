"""What every gift card test starts from: a week before the visits, a manager at the desk."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.core import clock
from tests.factories.auth import AuthHeaders
from tests.factories.core import paris


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)
