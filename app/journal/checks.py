"""Checking a chain record by record: signature, link to the previous record, consecutive
sequences, and every closing's totals computed again from the records it covers. Every
problem is reported; none stops the check. Used online (verify.py) and offline on an
archive (archive.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.journal import signing
from app.journal.payloads import CLOSING_KINDS, SALE_KINDS, ClosingLevel, Frozen
from app.journal.totals import Accumulator

_SALES = {str(kind) for kind in SALE_KINDS}
_LEVEL_OF = {kind: level for level, kind in CLOSING_KINDS.items()}
_BELOW = {ClosingLevel.month: ClosingLevel.day, ClosingLevel.year: ClosingLevel.month}


class Problem(StrEnum):
    signature_mismatch = "signature_mismatch"  # a stored value changed
    link_broken = "link_broken"  # the previous signature is not the previous record's
    sequence_gap = "sequence_gap"  # records missing (deleted) before this one
    unknown_key = "unknown_key"
    unknown_schema = "unknown_schema"
    head_missing = "head_missing"
    head_signature_invalid = "head_signature_invalid"
    head_mismatch = "head_mismatch"  # the chain ends before its head: latest records deleted
    closing_totals_mismatch = "closing_totals_mismatch"
    closing_perpetual_mismatch = "closing_perpetual_mismatch"
    archive_seal_invalid = "archive_seal_invalid"  # the archive's bytes changed
    archive_malformed = "archive_malformed"
    payload_malformed = "payload_malformed"  # a stored payload lacks what its kind holds


class Issue(Frozen):
    chain: str
    sequence: int | None
    record_id: UUID | None
    problem: Problem
    detail: str


class RecordSummary(Frozen):
    id: UUID
    sequence: int
    kind: str
    recorded_at: datetime


class ClosingCheck(Frozen):
    sequence: int
    level: ClosingLevel
    period: str
    first_sequence: int
    last_sequence: int
    stored_total_cents: int
    recomputed_total_cents: int
    stored_perpetual_cents: int
    recomputed_perpetual_cents: int
    matches: bool


class ChainCheck:
    """Feed a chain's records in sequence order, then read `issues` and `closings`."""

    def __init__(
        self,
        chain: str,
        *,
        keys: Mapping[str, bytes],
        previous_signature: str = signing.GENESIS,
        next_sequence: int = 1,
        perpetual_before: int = 0,
        purged: Mapping[int, tuple[int, str]] | None = None,
    ) -> None:
        self.chain, self.keys = chain, keys
        self.previous, self.expected = previous_signature, next_sequence
        self.issues: list[Issue] = []
        self.closings: list[ClosingCheck] = []
        self.count = 0
        self.first: RecordSummary | None = None
        self.last: RecordSummary | None = None
        self._pending: list[tuple[int, Mapping[str, Any]]] = []
        self._recomputed: dict[ClosingLevel, list[tuple[int, int, Accumulator]]] = {
            level: [] for level in ClosingLevel
        }
        self._perpetual = dict.fromkeys(ClosingLevel, perpetual_before)
        # first purged sequence -> (last purged sequence, its signature), from the JET
        self._purged = dict(purged or {})

    def _issue(self, record: Mapping[str, Any], problem: Problem, detail: str) -> None:
        self.issues.append(
            Issue(
                chain=self.chain,
                sequence=record["sequence"],
                record_id=record["id"],
                problem=problem,
                detail=detail,
            )
        )

    def feed(self, record: Mapping[str, Any]) -> None:
        self.count += 1
        summary = RecordSummary(
            id=record["id"],
            sequence=record["sequence"],
            kind=record["kind"],
            recorded_at=record["recorded_at"],
        )
        self.first = self.first or summary
        self.last = summary
        self._check_signature(record)
        purge = self._purged.get(self.expected)
        if purge is not None and purge[0] == record["sequence"] - 1:  # archived, then purged
            self.previous, self.expected = purge[1], record["sequence"]
        if record["sequence"] != self.expected:
            missing = f"{self.expected}..{record['sequence'] - 1}"
            detail = f"expected sequence {self.expected}: records {missing} missing or moved"
            self._issue(record, Problem.sequence_gap, detail)
        if not signing.same(record["previous_signature"], self.previous):
            self._issue(record, Problem.link_broken, "does not follow the previous record")
        self.previous, self.expected = record["signature"], record["sequence"] + 1
        if record["kind"] in _SALES and not _adds_up(record["payload"]):
            self._issue(record, Problem.payload_malformed, "a sale without its amounts")
        elif record["kind"] in _SALES:
            self._pending.append((record["sequence"], record["payload"]))
        elif record["kind"] in _LEVEL_OF:
            try:
                self._check_closing(record, _LEVEL_OF[record["kind"]])
            except (KeyError, TypeError, ValueError) as exc:
                self._issue(record, Problem.payload_malformed, f"a closing without {exc}")

    def _check_signature(self, record: Mapping[str, Any]) -> None:
        try:
            expected = signing.record_signature(record, self.keys)
        except signing.UnknownKey:
            self._issue(record, Problem.unknown_key, f"no key {record['key_id']!r} in settings")
            return
        except signing.UnknownSchema as exc:
            self._issue(record, Problem.unknown_schema, str(exc))
            return
        if not signing.same(expected, record["signature"]):
            self._issue(record, Problem.signature_mismatch, "stored values were changed")

    def _covered(self, level: ClosingLevel, first: int, last: int) -> Accumulator:
        if level is ClosingLevel.day:
            inside = [p for seq, p in self._pending if first <= seq <= last]
            self._pending = [(seq, p) for seq, p in self._pending if seq > last]
            accumulator = Accumulator()
            for payload in inside:
                accumulator.add(payload)
            return accumulator
        merged = Accumulator()
        for start, end, part in self._recomputed[_BELOW[level]]:
            if first <= start and end <= last:
                merged.merge(part)
        return merged

    def _in_purge(self, first: int, last: int) -> bool:
        return any(start <= last and first <= end for start, (end, _) in self._purged.items())

    def _check_closing(self, record: Mapping[str, Any], level: ClosingLevel) -> None:
        stored = record["payload"]
        first, last = stored["first_sequence"], stored["last_sequence"]
        if self._in_purge(first, last):  # its records are in a verified archive only
            self._perpetual[level] = stored["perpetual_total_cents"]
            return
        recomputed = self._covered(level, first, last)
        self._recomputed[level].append((first, last, recomputed))
        totals = recomputed.totals().model_dump(mode="json")
        perpetual = self._perpetual[level] + recomputed.incl
        self._perpetual[level] = perpetual
        check = ClosingCheck(
            sequence=record["sequence"],
            level=level,
            period=stored["period"],
            first_sequence=first,
            last_sequence=last,
            stored_total_cents=stored["totals"]["total_incl_vat_cents"],
            recomputed_total_cents=recomputed.incl,
            stored_perpetual_cents=stored["perpetual_total_cents"],
            recomputed_perpetual_cents=perpetual,
            matches=totals == stored["totals"] and perpetual == stored["perpetual_total_cents"],
        )
        self.closings.append(check)
        if totals != stored["totals"]:
            detail = f"{level} {stored['period']}: stored totals differ from its records"
            self._issue(record, Problem.closing_totals_mismatch, detail)
        if perpetual != stored["perpetual_total_cents"]:
            detail = f"perpetual total {stored['perpetual_total_cents']}, records say {perpetual}"
            self._issue(record, Problem.closing_perpetual_mismatch, detail)


def _adds_up(payload: Any) -> bool:
    """Whether a sale's stored payload has what the closings add up."""
    try:
        Accumulator().add(payload)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return True
