"""Import clients from the salon's previous software (CSV with a header line).

Columns (header names, any order, any case): first_name, last_name, email, phone, birthday
(YYYY-MM-DD or DD/MM/YYYY), tags (separated by `|`), notes. The separator is `,`, `;` (what
French Excel writes) or a tab, read from the header line. The encoding is detected (UTF-8 with
or without a BOM, UTF-16 with a BOM, else Windows-1252, what French Excel exports) or declared.

A row matches an existing client by e-mail, then by phone, and updates her; otherwise it
creates one. A note already on the client is not added again, so importing the same file
twice changes nothing the second time. A dry run reports what would happen row by row and
changes nothing; a real run imports every row or none.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from anyio import to_thread
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import repository
from app.clients.errors import ImportColumnsUnknown, ImportRejected, ImportUnreadable
from app.clients.models import Client, ClientNote
from app.clients.phone import to_e164
from app.clients.schemas import ImportReport, ImportRow
from app.core.clock import utcnow
from app.core.ids import new_id

MAX_ROWS = 20_000
Progress = Callable[[int], None]
Encoding = Literal["auto", "utf-8", "windows-1252", "iso-8859-1", "utf-16"]
COLUMNS = ("first_name", "last_name", "email", "phone", "birthday", "tags", "notes")
REQUIRED = ("first_name", "last_name")
SEPARATORS = (";", ",", "\t")


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


def decode(content: bytes, encoding: Encoding = "auto") -> tuple[str, str]:
    """The file's text and the encoding it was read in."""
    if encoding != "auto":
        try:
            return content.decode("utf-8-sig" if encoding == "utf-8" else encoding), encoding
        except UnicodeDecodeError as exc:
            raise ImportUnreadable(
                f"The file is not {encoding} text (byte {exc.start + 1} does not fit).",
                extra={"encoding": encoding},
            ) from exc
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16"), "utf-16"
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("windows-1252"), "windows-1252"
    except UnicodeDecodeError:  # five bytes Windows-1252 leaves undefined
        return content.decode("iso-8859-1"), "iso-8859-1"


def _check_header(header: list[str]) -> None:
    named = [name for name in header if name]  # Excel leaves empty columns at the end
    unknown = sorted({name for name in named if name not in COLUMNS})
    twice = sorted({name for name in named if named.count(name) > 1})
    missing = [name for name in REQUIRED if name not in named]
    if not (unknown or twice or missing):
        return
    problems = []
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    if twice:
        problems.append(f"column(s) named twice: {', '.join(twice)}")
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    raise ImportColumnsUnknown(
        f"The header line has {'; '.join(problems)}. The columns are: {', '.join(COLUMNS)}.",
        extra={
            "unknown_columns": unknown,
            "duplicate_columns": twice,
            "missing_columns": missing,
            "known_columns": list(COLUMNS),
        },
    )


Rows = list[tuple[int, dict[str, str]]]


def read_rows(content: bytes, encoding: Encoding = "auto") -> tuple[Rows, str]:
    """The rows of the file (line number, values keyed by lower-case column name), and the
    encoding it was read in."""
    text, used = decode(content, encoding)
    if "\x00" in text:
        raise ImportUnreadable("The file is not CSV text.", extra={"encoding": used})
    first_line = text.split("\n", 1)[0]
    separator = max(SEPARATORS, key=first_line.count) if first_line.strip() else ","
    try:
        reader = csv.reader(io.StringIO(text), delimiter=separator)
        header = [name.strip().lower() for name in next(reader, [])]
        _check_header(header)
        rows: Rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank line
            named = {k: v for k, v in zip(header, values, strict=False) if k}
            rows.append((reader.line_num, named))
            if len(rows) > MAX_ROWS:
                raise ImportRejected(f"A file may hold {MAX_ROWS} rows at most.")
    except csv.Error as exc:
        raise ImportUnreadable(
            f"The file is not valid CSV: {exc}.", extra={"encoding": used}
        ) from exc
    return rows, used


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
    encoding: Encoding = "auto",
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row, then (unless a dry run) apply them all in the caller's transaction.
    With one bad row nothing is applied and ImportRejected carries the report."""
    rows, used = await to_thread.run_sync(read_rows, content, encoding)  # CPU: off the loop
    report = ImportReport(dry_run=dry_run, encoding=used, created=0, updated=0, rejected=0, rows=[])
    seen: dict[str, int] = {}
    plans: list[tuple[dict[str, Any], Client | None]] = []
    for number, row in rows:
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
        raise ImportRejected(
            f"{report.rejected} row(s) are not valid: nothing was imported.",
            extra={"report": report.model_dump(mode="json")},
        )
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
    already = await repository.note_bodies(session, [client_id for client_id, _ in notes])
    session.add_all(
        ClientNote(
            id=new_id(), client_id=client_id, author_user_id=author, body=body, created_at=now
        )
        for client_id, body in notes
        if (client_id, body) not in already
    )
    await session.flush()
