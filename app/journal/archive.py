"""Yearly archives: one JSON-lines file, readable by anything after a change of software.

    {"manifest": {...}}                       what it holds and how to check it
    {"record": {...every stored column...}}   one line per record, in chain and sequence order
    {"seal": {"sha256": ..., "signature": ...}}

The seal is the SHA-256 and the HMAC-SHA256 (JOURNAL_SIGNING_KEYS) of every byte before it;
each record still carries its chain signature. `verify_archive` checks the seal, every
record, every link and every closing, offline: it needs the file and the keys, no database.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.timeutils import local_midnight, zone
from app.journal import repository, signing
from app.journal.chain import record_event
from app.journal.checks import ChainCheck, ClosingCheck, Issue, Problem
from app.journal.models import JournalRecord
from app.journal.payloads import CLOSING_KINDS, Chain, ClosingLevel, EventKind, Frozen

FORMAT = "salon-journal-archive"
COLUMNS = (
    "id",
    "chain",
    "sequence",
    "kind",
    "register_id",
    "recorded_at",
    "schema_version",
    "key_id",
    "payload",
    "previous_signature",
    "signature",
)


class ArchiveWritten(Frozen):
    path: Path
    sha256: str
    records: int
    complete: bool


class ArchiveCheck(Frozen):
    ok: bool
    year: int | None
    records: int
    complete: bool
    issues: tuple[Issue, ...]
    closings: tuple[ClosingCheck, ...]


def _line(value: Any) -> bytes:
    return signing.dumps(value) + b"\n"


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    record = {column: row[column] for column in COLUMNS}
    record["id"] = str(row["id"])
    record["register_id"] = None if row["register_id"] is None else str(row["register_id"])
    record["recorded_at"] = row["recorded_at"].astimezone(UTC).isoformat(timespec="microseconds")
    return record


async def _year_range(session: AsyncSession, chain: Chain, year: int) -> tuple[int, int]:
    """The sequences of a year: for the sales chain, from the previous year's closing to this
    year's (closings made just after midnight belong to their year); otherwise by date."""
    start = await repository.last_sequence_of(
        session, chain, local_midnight(date(year, 1, 1), zone())
    )
    end = await repository.last_sequence_of(
        session, chain, local_midnight(date(year + 1, 1, 1), zone())
    )
    if chain is Chain.sales:
        before = await repository.closing_of(session, ClosingLevel.year, str(year - 1))
        start = before.sequence if before is not None else start
        closed = await repository.closing_of(session, ClosingLevel.year, str(year))
        end = closed.sequence if closed is not None else end
    return start + 1, end


async def _chain_lines(
    session: AsyncSession, chain: Chain, year: int
) -> tuple[list[bytes], dict[str, Any]]:
    lines: list[bytes] = []
    summary: dict[str, Any] = {"records": 0}
    sequences = await _year_range(session, chain, year)
    async for row in repository.stream(session, chain, sequences=sequences):
        record = _stored(row)
        if not lines:
            summary |= {
                "first_sequence": record["sequence"],
                "previous_signature": record["previous_signature"],
            }
        summary |= {"last_sequence": record["sequence"], "records": summary["records"] + 1}
        lines.append(_line({"record": record}))
    if chain is Chain.sales and lines:
        before = await repository.perpetual_before(session, summary["first_sequence"])
        summary["perpetual_before_cents"] = before
    return lines, summary


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


async def write_archive(session: AsyncSession, year: int, directory: Path) -> ArchiveWritten:
    """Write the year's records of every chain to `directory`, sealed; journaled in the JET."""
    body: list[bytes] = []
    chains: dict[str, Any] = {}
    for chain in Chain:
        lines, chains[chain] = await _chain_lines(session, chain, year)
        body += lines
    complete = await repository.closing_of(session, ClosingLevel.year, str(year)) is not None
    manifest = {
        "format": FORMAT,
        "format_version": 1,
        "year": year,
        "created_at": utcnow().isoformat(),
        "complete": complete,
        "chains": chains,
        "signed_columns": list(COLUMNS[1:-1]),
        "signature": "HMAC-SHA256 over the sorted-key compact JSON of the signed columns",
    }
    content = _line({"manifest": manifest}) + b"".join(body)
    key_id = signing.current_key_id()
    digest = hashlib.sha256(content).hexdigest()
    seal = {"algorithm": "HMAC-SHA256", "key_id": key_id, "sha256": digest}
    seal["signature"] = signing.mac(key_id, content)
    path = directory / f"journal-{year}.jsonl"
    await anyio.to_thread.run_sync(_write, path, content + _line({"seal": seal}))
    records = sum(summary["records"] for summary in chains.values())
    details = {"year": year, "file": path.name, "sha256": digest, "records": records}
    await record_event(session, EventKind.archive, details | {"complete": complete})
    return ArchiveWritten(path=path, sha256=digest, records=records, complete=complete)


def _archive_issue(problem: Problem, detail: str) -> Issue:
    return Issue(chain="archive", sequence=None, record_id=None, problem=problem, detail=detail)


def _seal_issues(content: bytes, seal: dict[str, Any]) -> list[Issue]:
    if not signing.same(hashlib.sha256(content).hexdigest(), str(seal.get("sha256", ""))):
        return [_archive_issue(Problem.archive_seal_invalid, "the SHA-256 does not match")]
    try:
        expected = signing.mac(str(seal.get("key_id")), content)
    except signing.UnknownKey:
        return [_archive_issue(Problem.unknown_key, f"no key {seal.get('key_id')!r}")]
    if not signing.same(expected, str(seal.get("signature", ""))):
        return [_archive_issue(Problem.archive_seal_invalid, "the seal's signature is wrong")]
    return []


# Every stored column a record line must carry (a changed byte can rename a key).
_COLUMNS = frozenset(column.name for column in JournalRecord.__table__.c)


def _parsed(line: bytes) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(line)["record"]
    record["id"] = UUID(record["id"])
    record["recorded_at"] = datetime.fromisoformat(record["recorded_at"])
    return record


def _whole(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Issue]]:
    """The records that carry every stored column, and an issue for each that does not."""
    whole, issues = [], []
    for record in records:
        if missing := _COLUMNS - record.keys():
            detail = f"record {record['id']} has no {', '.join(sorted(missing))}"
            issues.append(_archive_issue(Problem.archive_malformed, detail))
        else:
            whole.append(record)
    return whole, issues


def _split(raw: bytes) -> tuple[bytes, list[bytes], dict[str, Any]]:
    """The sealed content, its lines (the manifest first) and the seal (ValueError: not an
    archive of ours)."""
    lines = raw.splitlines(keepends=True)
    if len(lines) < 2 or not raw.endswith(b"\n"):
        raise ValueError("too short, or truncated")
    seal = json.loads(lines[-1])["seal"]
    return b"".join(lines[:-1]), lines[:-1], seal


def _manifest(head: bytes) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(head)["manifest"]
    if manifest.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT}")
    return manifest


def _unreadable(exc: Exception, issues: list[Issue]) -> ArchiveCheck:
    issue = _archive_issue(Problem.archive_malformed, str(exc) or type(exc).__name__)
    return ArchiveCheck(
        ok=False, year=None, records=0, complete=False, issues=(*issues, issue), closings=()
    )


def verify_archive(path: Path) -> ArchiveCheck:
    """Check an archive file offline: its seal, then every chain in it record by record."""
    try:
        content, lines, seal = _split(path.read_bytes())
    except (ValueError, KeyError, TypeError) as exc:  # JSON errors are ValueErrors
        return _unreadable(exc, [])
    issues = _seal_issues(content, seal)  # whatever the lines hold, the seal is checked
    try:
        manifest = _manifest(lines[0])
        records = [_parsed(line) for line in lines[1:]]
    except (ValueError, KeyError, TypeError) as exc:
        return _unreadable(exc, issues)
    records, malformed = _whole(records)
    issues += malformed
    closings: list[ClosingCheck] = []
    for chain, summary in manifest["chains"].items():
        check = ChainCheck(
            chain,
            keys=signing.all_keys(),
            previous_signature=summary.get("previous_signature", signing.GENESIS),
            next_sequence=summary.get("first_sequence", 1),
            perpetual_before=summary.get("perpetual_before_cents", 0),
        )
        for record in records:
            if record["chain"] == chain:
                check.feed(record)
        if check.count != summary["records"]:
            detail = f"{chain}: {check.count} records, the manifest says {summary['records']}"
            issues.append(_archive_issue(Problem.archive_malformed, detail))
        issues += check.issues
        closings += check.closings
    year_closed = any(r["kind"] == CLOSING_KINDS[ClosingLevel.year] for r in records)
    return ArchiveCheck(
        ok=not issues,
        year=manifest.get("year"),
        records=len(records),
        complete=bool(manifest.get("complete")) and year_closed,
        issues=tuple(issues),
        closings=tuple(closings),
    )
