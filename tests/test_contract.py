"""Property-based checks of the whole API from its own OpenAPI document (schemathesis):
whatever the generated input, no endpoint answers a 5xx. Called as the owner, so the staff
endpoints are reached too. Derandomised, so a run is repeatable."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from app.auth.models import Role
from app.core import async_bridge
from app.core.security import create_access_token
from app.main import app
from tests.builders import make_user

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_fail(case: schemathesis.Case) -> None:
    owner = async_bridge.run(make_user(role=Role.owner))
    token, _ = create_access_token(user_id=owner.id, kind="staff", role="owner")
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
