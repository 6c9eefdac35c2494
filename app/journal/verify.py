"""Verifying the journal online: every chain record by record, each head against the end of
its chain, every closing against its records. Failures are written to the JET."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.journal import repository, signing
from app.journal.chain import record_event
from app.journal.checks import ChainCheck, ClosingCheck, Issue, Problem, RecordSummary
from app.journal.models import Chain, JournalHead
from app.journal.payloads import EventKind, Frozen


class ChainReport(Frozen):
    chain: Chain
    records: int
    first: RecordSummary | None
    last: RecordSummary | None
    head_sequence: int | None


class VerificationReport(Frozen):
    ok: bool
    checked_at: datetime
    records_checked: int
    chains: tuple[ChainReport, ...]
    issues: tuple[Issue, ...]
    closings: tuple[ClosingCheck, ...]


def _head_issues(check: ChainCheck, head: JournalHead | None) -> list[Issue]:
    def issue(problem: Problem, detail: str) -> Issue:
        return Issue(
            chain=check.chain, sequence=None, record_id=None, problem=problem, detail=detail
        )

    last_sequence = check.last.sequence if check.last else 0
    if head is None:
        return [issue(Problem.head_missing, "no head for this chain")] if check.count else []
    found = []
    try:
        expected = signing.head_signature(
            head.key_id, head.chain, head.sequence, head.signature, check.keys
        )
        if not signing.same(expected, head.head_signature):
            found.append(issue(Problem.head_signature_invalid, "the head was changed"))
    except signing.UnknownKey:
        found.append(issue(Problem.unknown_key, f"no key {head.key_id!r} for the head"))
    if head.sequence != last_sequence or not signing.same(head.signature, check.previous):
        detail = f"the head says {head.sequence}, the chain ends at {last_sequence}"
        found.append(issue(Problem.head_mismatch, detail + ": latest records deleted?"))
    return found


async def _check_chain(session: AsyncSession, chain: Chain, head: JournalHead | None) -> ChainCheck:
    purged = await repository.purged_ranges(session) if chain is Chain.sales else {}
    check = ChainCheck(chain, keys=signing.all_keys(), purged=purged)
    async for row in repository.stream(session, chain):
        check.feed(row)
    check.issues.extend(_head_issues(check, head))
    return check


async def verify(session: AsyncSession) -> VerificationReport:
    """Check every chain; a failure is recorded as a technical event (in this transaction)."""
    heads = await repository.heads(session)
    checks = [await _check_chain(session, chain, heads.get(chain)) for chain in Chain]
    issues = tuple(issue for check in checks for issue in check.issues)
    report = VerificationReport(
        ok=not issues,
        checked_at=utcnow(),
        records_checked=sum(check.count for check in checks),
        chains=tuple(
            ChainReport(
                chain=Chain(check.chain),
                records=check.count,
                first=check.first,
                last=check.last,
                head_sequence=heads[check.chain].sequence if check.chain in heads else None,
            )
            for check in checks
        ),
        issues=issues,
        closings=tuple(closing for check in checks for closing in check.closings),
    )
    if issues:
        details: dict[str, str | int | bool | None] = {"issues": len(issues)}
        for problem in sorted({issue.problem for issue in issues}):
            details[problem] = sum(issue.problem == problem for issue in issues)
        await record_event(session, EventKind.verification_failed, details)
    return report
