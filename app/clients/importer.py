"""Import clients from the salon's previous software (CSV, UTF-8, `,` or `;`).

Columns (header names, any order): first_name, last_name, email, phone, birthday
(YYYY-MM-DD or DD/MM/YYYY), tags (separated by `|`), notes. A row matches an existing client
by e-mail, then by phone, and updates her; otherwise it creates one. A dry run reports what
would happen row by row and changes nothing; a real run imports every row or none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import repository
from app.clients.errors import ImportRejected
from app.clients.models import Client, ClientNote
from app.clients.phone import to_e164
from app.clients.schemas import ImportReport, ImportRow
from app.core.clock import utcnow
from app.core.ids import new_id

MAX_ROWS = 20_000
Progress = Callable[[int], None]


def _parse_date(raw: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(f"birthday {raw!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")


def _row_fields(row: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    fields: dict[str, Any] = {}
    for key in ("first_name", "last_name"):
        value = (row.get(key) or "").strip()
        if not value:
            errors.append(f"{key} is missing")
        fields[key] = value[:100]
    if email := (row.get("email") or "").strip():
        try:
            fields["email"] = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors.append(f"email {email!r} is not valid")
    if phone := (row.get("phone") or "").strip():
        fields["phone"] = to_e164(phone)
        if fields["phone"] is None:
            errors.append(f"phone {phone!r} is not valid")
    if birthday := (row.get("birthday") or "").strip():
        try:
            fields["birthday"] = _parse_date(birthday)
        except ValueError as exc:
            errors.append(str(exc))
    fields["tags"] = sorted({t.strip() for t in (row.get("tags") or "").split("|") if t.strip()})
    fields["note"] = (row.get("notes") or "").strip() or None
    return fields, errors


def read_rows(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8-sig")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;")
    except csv.Error:  # one column, or nothing to guess from: read it as plain CSV
        dialect = csv.excel
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    if len(rows) > MAX_ROWS:
        raise ImportRejected(f"A file may hold {MAX_ROWS} rows at most.")
    return [{(k or "").strip().lower(): (v or "") for k, v in row.items()} for row in rows]


async def _match(session: AsyncSession, fields: dict[str, Any]) -> Client | None:
    if fields.get("email"):
        found = await repository.get_by_email(session, fields["email"])
        if found is not None:
            return found
    if fields.get("phone"):
        return await repository.get_by_phone(session, fields["phone"])
    return None


async def import_clients(
    session: AsyncSession,
    content: bytes,
    *,
    dry_run: bool,
    author: UUID | None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row, then (unless a dry run) apply them all in the caller's transaction.
    With one bad row nothing is applied and ImportRejected carries the report."""
    rows = read_rows(content)
    report = ImportReport(dry_run=dry_run, created=0, updated=0, rejected=0, rows=[])
    seen: dict[str, int] = {}
    plans: list[tuple[dict[str, Any], Client | None]] = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        fields, errors = _row_fields(row)
        for key in ("email", "phone"):
            if fields.get(key) and fields[key] in seen:
                errors.append(f"same {key} as row {seen[fields[key]]}")
            elif fields.get(key):
                seen[fields[key]] = number
        existing = await _match(session, fields) if not errors else None
        action = "reject" if errors else "update" if existing else "create"
        report.rows.append(
            ImportRow(
                row=number,
                action=action,
                client_id=existing.id if existing else None,
                errors=errors,
            )
        )
        plans.append((fields, existing))
        if progress:
            progress(1)
    report.created = sum(r.action == "create" for r in report.rows)
    report.updated = sum(r.action == "update" for r in report.rows)
    report.rejected = sum(r.action == "reject" for r in report.rows)
    if report.rejected and not dry_run:
        raise ImportRejected(extra={"report": report.model_dump(mode="json")})
    if not dry_run:
        await _apply(session, plans, report, author)
    return report


async def _apply(
    session: AsyncSession,
    plans: list[tuple[dict[str, Any], Client | None]],
    report: ImportReport,
    author: UUID | None,
) -> None:
    now = utcnow()
    notes: list[tuple[UUID, str]] = []
    for (fields, existing), row in zip(plans, report.rows, strict=True):
        note = fields.pop("note")
        if existing is None:
            existing = Client(id=new_id(), created_at=now, updated_at=now, **fields)
            session.add(existing)
            row.client_id = existing.id
        else:
            for key, value in fields.items():
                if value not in (None, [], ""):
                    setattr(existing, key, value)
            existing.updated_at = now
        if note:
            notes.append((existing.id, note))
    # Clients first: without ORM relationships the flush does not order the inserts for us.
    await session.flush()
    session.add_all(
        ClientNote(
            id=new_id(), client_id=client_id, author_user_id=author, body=body, created_at=now
        )
        for client_id, body in notes
    )
    await session.flush()
