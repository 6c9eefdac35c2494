"""Adding a domain touches its own folder, one line of pyproject.toml and a migration:
docs/architecture.md, "Adding a domain". Shown on a copy of the application with a tiny
`app/lockers/` package: the registries find its route, its table, its outbox handler, its
task and beat entry, and its client data without a line anywhere else, and
lint-imports asks for exactly the one line in the domain layer."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.test_architecture import lint_imports, tree

__all__ = ["tree"]  # the fixture: a copy of app/, pyproject.toml and the import contract

EXAMPLE = {
    "__init__.py": '"""A tiny example domain: lockers clients may rent."""\n',
    "models.py": """from __future__ import annotations

from uuid import UUID

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id


class Locker(Base):
    __tablename__ = "lockers"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID | None] = mapped_column(ForeignKey("clients.id"))
""",
    "handlers.py": """from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.core import outbox


@outbox.handles(bookings.TOPIC_CONFIRMED, name="lockers.offer_on_booking_confirmed")
async def on_confirmed(session: AsyncSession, payload: bookings.BookingConfirmed) -> None:
    return None
""",
    "tasks.py": """from __future__ import annotations

from app.core import jobs


@jobs.task("lockers.release_expired")
async def release_expired() -> int:
    \"\"\"Free the lockers whose rental ended.\"\"\"
    return 0


BEAT = [jobs.beat("release-expired-lockers", release_expired, every=3600.0)]
""",
    "router.py": """from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["lockers"])


@router.get("/api/v1/lockers")
async def list_lockers() -> list[str]:
    return []
""",
    "client_data.py": """from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.lockers.models import Locker


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    return {"lockers": []}


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    return None


clients.declare_client_data(
    "lockers",
    references={"lockers.client_id"},
    export=export,
    erase=erase,
    merge=clients.reassign(Locker.client_id),
)
""",
}

# Run in a fresh interpreter on the copy: the registries of this test process stay as they are.
FOUND = """
import json
import app
from app import registry
registry.load_all()
from app.clients import public as clients
from app.core import jobs, outbox
from app.core.db import Base
from app.worker import celery_app
from app.main import app as api
print(json.dumps({
    "route": "/api/v1/lockers" in api.openapi()["paths"],
    "app": app.__file__,
    "table": "lockers" in Base.metadata.tables,
    "handler": outbox.handler_modules().get("lockers.offer_on_booking_confirmed"),
    "task": "lockers.release_expired" in {t.name for t in jobs.tasks()},
    "celery": "lockers.release_expired" in celery_app.tasks,
    "beat": celery_app.conf.beat_schedule.get("release-expired-lockers", {}).get("task"),
    "client_data": clients.declared_client_references().get("lockers.client_id"),
}))
"""


def found_in(tree: Path) -> dict[str, object]:
    result = subprocess.run(  # noqa: S603 - this virtualenv's interpreter, our own script
        [sys.executable, "-c", FOUND],
        cwd=tree,
        env=os.environ | {"PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def test_a_new_domain_is_found_by_every_registry_without_a_list(tree: Path) -> None:
    package = tree / "app" / "lockers"
    package.mkdir()
    for name, source in EXAMPLE.items():
        (package / name).write_text(source, encoding="utf-8")

    assert found_in(tree) == {
        "app": str(tree / "app" / "__init__.py"),
        "route": True,
        "table": True,
        "handler": "app.lockers.handlers",
        "task": True,
        "celery": True,
        "beat": "lockers.release_expired",
        "client_data": "lockers",
    }


def test_a_new_domain_needs_one_line_in_the_domain_layer(tree: Path) -> None:
    (tree / "app" / "lockers").mkdir()
    for name, source in EXAMPLE.items():
        (tree / "app" / "lockers" / name).write_text(source, encoding="utf-8")
    refused = lint_imports(tree)
    assert refused.returncode != 0
    assert "app.lockers" in refused.stdout + refused.stderr

    config = tree / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    domain_line = re.compile(r'^(  "[a-z_]+ : [a-z_ :]*bookings[a-z_ :]*)",$', re.MULTILINE)
    assert len(domain_line.findall(text)) == 1
    config.write_text(domain_line.sub(r'\1 : lockers",', text))
    accepted = lint_imports(tree)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
