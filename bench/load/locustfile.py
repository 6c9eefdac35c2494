"""The load harness (issue 18): visitors of the public site, staff at the desk, and the same
number of `/health` probes as the baseline, in one locust run.

    locust -f bench/load/locustfile.py --headless -u 200 -r 50 -t 60s --host http://127.0.0.1:8000

`make load` runs it with USERS site visitors plus USERS health probes (and STAFF_USERS staff)
and prints the summary (bench/load/summary.py). Every user waits 1-2 s between steps.

- **Site visitor**: the services, the practitioners, a week of slots for one service; one in
  five then books the slot it saw, as the public site does (an `Idempotency-Key`, a contact of
  her own, her address forwarded by the site's server in `X-Forwarded-For`: loopback is a
  trusted proxy by default, so each visitor meets the per-address limits alone). Services with
  a deposit make a 15-minute hold (`pending_payment`) that she does not pay: the hold expires
  (beat's hold expiry), which the scale-out script counts. A slot taken meanwhile answers 409
  `slot_unavailable`: counted apart, not as an error. Services with a prerequisite (a patch
  test first) are left out: a new client cannot book them.
- **Staff member** (only with LOAD_STAFF_EMAIL / LOAD_STAFF_PASSWORD, e.g. the admin `seed`
  printed): logs in once, then the calendar of a day and of a week, a client search, a client
  record, and now and then a till checkout (a walk-in service, paid cash, completed) on the
  register it opened.
- **Health probe**: `GET /health`, the baseline.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import uuid
from typing import Any

from locust import HttpUser, between, events, task

USERS = int(os.environ.get("USERS", "100"))
STAFF_USERS = int(os.environ.get("STAFF_USERS", "0"))
STAFF_EMAIL = os.environ.get("LOAD_STAFF_EMAIL", "")
STAFF_PASSWORD = os.environ.get("LOAD_STAFF_PASSWORD", "")
BOOKING_SHARE = float(os.environ.get("LOAD_BOOKING_SHARE", "0.2"))
SEARCHES = ("dupont", "martin", "06 1", "sophie", "bernard", "lefe", "camille")
_visitor_numbers = itertools.count(1)
# A run of its own in the second octet: runs one after another (ramp.py) do not add up their
# bookings against one address's hourly limit.
_RUN = random.randrange(1, 255)
_state: dict[str, Any] = {}


def _tomorrow() -> dt.date:
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


# `-u` is the sum: USERS visitors, USERS probes and STAFF_USERS staff (see the Makefile).
class SiteVisitor(HttpUser):
    fixed_count = USERS
    wait_time = between(1, 2)

    def on_start(self) -> None:
        number = next(_visitor_numbers)
        # An address of her own (10.x.y.z), as the site's server forwards it.
        self.address = f"10.{_RUN}.{(number >> 8) & 255}.{number & 255}"
        self.client.headers["X-Forwarded-For"] = self.address
        self.email = f"visitor-{uuid.uuid4().hex[:12]}@load.example"

    @task
    def journey(self) -> None:
        services = self.client.get("/api/v1/services", name="GET /api/v1/services")
        self.wait()
        self.client.get("/api/v1/practitioners", name="GET /api/v1/practitioners")
        self.wait()
        items = services.json().get("items", []) if services.ok else []
        bookable = [s for s in items if s.get("online_bookable") and not s.get("prerequisites")]
        if not bookable:
            return
        service = random.choice(bookable)
        start = _tomorrow() + dt.timedelta(days=random.randrange(0, 14))
        found = self.client.get(
            "/api/v1/availability/slots",
            params={
                "service_ids": service["id"],
                "date_from": start.isoformat(),
                "date_to": (start + dt.timedelta(days=6)).isoformat(),
            },
            name="GET /api/v1/availability/slots (7 days)",
        )
        slots = found.json().get("slots", []) if found.ok else []
        if not slots or random.random() >= BOOKING_SHARE:
            return
        self.wait()
        slot = random.choice(slots)
        with self.client.post(
            "/api/v1/bookings",
            json={
                "service_ids": [service["id"]],
                "start": slot["start"],
                "client": {"first_name": "Visiteuse", "last_name": "Charge", "email": self.email},
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
            name="POST /api/v1/bookings",
            catch_response=True,
        ) as answer:
            if answer.status_code == 409:
                answer.request_meta["name"] = "POST /api/v1/bookings (409 slot taken)"
                answer.success()


class StaffMember(HttpUser):
    # Only with credentials; without them the users are left out (weight 0).
    fixed_count = STAFF_USERS if STAFF_EMAIL and STAFF_PASSWORD else 0
    weight = 0
    wait_time = between(1, 2)

    def on_start(self) -> None:
        answer = self.client.post(
            "/api/v1/auth/token",
            data={"username": STAFF_EMAIL, "password": STAFF_PASSWORD},
            name="POST /api/v1/auth/token (once per user)",
        )
        token = answer.json()["access_token"] if answer.ok else ""
        self.client.headers["Authorization"] = f"Bearer {token}"
        self.register_id = self._open_register()

    def _open_register(self) -> str | None:
        registers = self.client.get("/api/v1/sales/registers", name="GET /api/v1/sales/registers")
        items = registers.json().get("items", []) if registers.ok else []
        if not items:
            return None
        register = items[0]
        with self.client.post(
            f"/api/v1/sales/registers/{register['id']}/open",
            json={"float_cents": 15000},
            headers={"Idempotency-Key": uuid.uuid4().hex},
            name="POST /api/v1/sales/registers/{id}/open",
            catch_response=True,
        ) as opened:
            if opened.status_code == 409:  # already open (the seed's, or another staff user)
                opened.success()
        return str(register["id"])

    @task(4)
    def calendar_day_and_week(self) -> None:
        day = _tomorrow().isoformat()
        self.client.get(
            "/api/v1/calendar", params={"date_from": day}, name="GET /api/v1/calendar (day)"
        )
        self.wait()
        self.client.get(
            "/api/v1/calendar",
            params={"date_from": day, "days": 7},
            name="GET /api/v1/calendar (week)",
        )

    @task(4)
    def find_and_open_a_client(self) -> None:
        found = self.client.get(
            "/api/v1/clients/search",
            params={"q": random.choice(SEARCHES)},
            name="GET /api/v1/clients/search",
        )
        items = found.json().get("items", []) if found.ok else []
        if items:
            self.wait()
            self.client.get(f"/api/v1/clients/{items[0]['id']}", name="GET /api/v1/clients/{id}")

    @task(1)
    def till_checkout(self) -> None:
        services = _state.get("walk_in")
        if services is None:
            listed = self.client.get("/api/v1/services", name="GET /api/v1/services")
            items = listed.json().get("items", []) if listed.ok else []
            practitioners = self.client.get(
                "/api/v1/practitioners", name="GET /api/v1/practitioners"
            ).json()["items"]
            services = _state["walk_in"] = [
                (s["id"], p["id"])
                for s in items
                for p in practitioners
                if s["id"] in p.get("service_ids", [])
            ]
        if not services or self.register_id is None:
            return
        service_id, practitioner_id = random.choice(services)
        order = self.client.post(
            "/api/v1/sales/orders",
            json={
                "register_id": self.register_id,
                "lines": [
                    {
                        "kind": "service",
                        "service_id": service_id,
                        "practitioner_id": practitioner_id,
                    }
                ],
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
            name="POST /api/v1/sales/orders",
        )
        if not order.ok:
            return
        order_id = order.json()["id"]
        for path, body, name in (
            ("payments", {"method": "cash"}, "POST /api/v1/sales/orders/{id}/payments (cash)"),
            ("complete", None, "POST /api/v1/sales/orders/{id}/complete"),
        ):
            with self.client.post(
                f"/api/v1/sales/orders/{order_id}/{path}",
                json=body,
                headers={"Idempotency-Key": uuid.uuid4().hex},
                name=name,
                catch_response=True,
            ) as answer:
                if not answer.ok:
                    answer.failure(f"{answer.status_code} {_code(answer)}")
                    return


def _code(answer: Any) -> str:
    try:
        return str(answer.json().get("code"))
    except ValueError:
        return answer.text[:80]


class HealthProbe(HttpUser):
    """The baseline: as many users as site visitors, at the same pace, on `GET /health`."""

    fixed_count = USERS
    wait_time = between(1, 2)

    @task
    def health(self) -> None:
        self.client.get("/health", name="GET /health")


# Every response time, to give the mix's percentiles (locust's CSV has them per route only).
_times: dict[str, list[float]] = {"mix": [], "health": []}
_failures: dict[str, int] = {"mix": 0, "health": 0}


@events.request.add_listener
def _record(name: str, response_time: float, exception: object, **_: Any) -> None:
    if name.startswith("POST /api/v1/auth/token"):
        return  # once per staff user, on purpose slow (argon2): not part of the mix
    kind = "health" if name == "GET /health" else "mix"
    _times[kind].append(response_time)
    if exception is not None:
        _failures[kind] += 1


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@events.quitting.add_listener
def _write_mix(environment: Any, **_: Any) -> None:
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if not prefix:
        return
    summary = {
        kind: {
            "requests": len(values),
            "failures": _failures[kind],
            "p50": _percentile(values, 0.50),
            "p95": _percentile(values, 0.95),
            "p99": _percentile(values, 0.99),
        }
        for kind, values in _times.items()
    }
    with open(f"{prefix}_mix.json", "w", encoding="utf-8") as out:
        json.dump(summary, out)
