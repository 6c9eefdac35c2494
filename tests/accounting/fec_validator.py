"""Our own FEC checker: every rule of LPF A47 A-1 (and BOI-CF-IOR-60-40-20) the file must
follow to import into the accountants' tools and pass the administration's test (Test Compta
Demat). It reads the bytes as a tool would and reports every problem, never only the first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

# Written from A47 A-1, not imported from app/accounting/fec.py: a checker that read the
# exporter's own list could not catch a wrong or missing column.
FIELDS = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]
REQUIRED = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "ValidDate",
]
NAME = re.compile(r"^(?P<siren>[0-9]{9})FEC(?P<closing>[0-9]{8})\.txt$")
AMOUNT = re.compile(r"^-?[0-9]+(,[0-9]{1,2})?$")
NUMBER = re.compile(r"^(?P<journal>[A-Z]+)(?P<n>[0-9]+)$")
OPENING = "AN"


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    entries: int = 0
    lines: int = 0
    debit_cents: int = 0
    credit_cents: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _cents(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    whole, _, part = text.lstrip("-").partition(",")
    return sign * (int(whole) * 100 + int((part + "00")[:2]))


def _day(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date()  # noqa: DTZ007 (a date, no time)
    except ValueError:
        return None


def _split(raw: bytes, report: Report) -> list[list[str]]:
    try:
        text = raw.decode("iso8859_15")
    except UnicodeDecodeError:
        report.problems.append("not ISO 8859-15")
        return []
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if any("\r" in line or "\n" in line for line in lines):
        report.problems.append("a line break inside a field")
    header = lines[0] if lines else ""
    separator = "\t" if "\t" in header else "|"
    return [line.split(separator) for line in lines]


def validate(name: str, raw: bytes, *, year: int) -> Report:
    """Check the file `name` holding `raw` as the FEC of fiscal `year` (calendar year)."""
    report = Report()
    matched = NAME.match(name)
    if not matched:
        report.problems.append(f"file name {name!r} is not SIRENFECYYYYMMDD.txt")
    elif _day(matched["closing"]) != date(year, 12, 31):
        report.problems.append(f"file name date {matched['closing']} is not the closing date")
    rows = _split(raw, report)
    if not rows:
        report.problems.append("empty file")
        return report
    if rows[0] != FIELDS:
        report.problems.append(f"first line is not the 18 field names in order: {rows[0]}")
    _check_rows(rows[1:], report, year)
    return report


def _check_rows(rows: list[list[str]], report: Report, year: int) -> None:
    entries: dict[tuple[str, str], list[int]] = {}
    order: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    for index, values in enumerate(rows, start=2):
        if len(values) != len(FIELDS):
            report.problems.append(f"line {index}: {len(values)} fields, not 18")
            continue
        row = dict(zip(FIELDS, values, strict=True))
        _check_row(row, index, report, year)
        key = (row["JournalCode"], row["EcritureNum"])
        if key not in entries:
            entries[key] = [0, 0]
            order.append(key)
        elif order[-1] != key:
            report.problems.append(f"line {index}: entry {key} is not on consecutive lines")
        if AMOUNT.match(row["Debit"]) and AMOUNT.match(row["Credit"]):
            debit, credit = _cents(row["Debit"]), _cents(row["Credit"])
            entries[key][0] += debit
            entries[key][1] += credit
            report.debit_cents += debit
            report.credit_cents += credit
        known = labels.setdefault(row["CompteNum"], row["CompteLib"])
        if known != row["CompteLib"]:
            report.problems.append(f"line {index}: account {row['CompteNum']} has two labels")
        report.lines += 1
    report.entries = len(entries)
    for key, (debit, credit) in entries.items():
        if debit != credit:
            report.problems.append(f"entry {key} is not balanced: {debit} != {credit}")
    _check_numbering(order, report)


def _check_row(row: dict[str, str], index: int, report: Report, year: int) -> None:
    for name in REQUIRED:
        if not row[name].strip():
            report.problems.append(f"line {index}: {name} is empty")
    for name in ("EcritureDate", "PieceDate", "ValidDate"):
        if _day(row[name]) is None:
            report.problems.append(f"line {index}: {name} {row[name]!r} is not YYYYMMDD")
    if row["DateLet"] and _day(row["DateLet"]) is None:
        report.problems.append(f"line {index}: DateLet is not YYYYMMDD")
    written = _day(row["EcritureDate"])
    if written is not None and written.year != year:
        report.problems.append(f"line {index}: EcritureDate {written} is outside the year")
    for name in ("Debit", "Credit"):
        if not AMOUNT.match(row[name]):
            report.problems.append(f"line {index}: {name} {row[name]!r} is not 0,00-style")
    if AMOUNT.match(row["Debit"]) and AMOUNT.match(row["Credit"]):
        debit, credit = _cents(row["Debit"]), _cents(row["Credit"])
        if (debit != 0) == (credit != 0) or debit < 0 or credit < 0:
            report.problems.append(f"line {index}: one of Debit and Credit, positive")
    if bool(row["CompAuxNum"]) != bool(row["CompAuxLib"]):
        report.problems.append(f"line {index}: an auxiliary account without its label")
    if bool(row["Montantdevise"]) != bool(row["Idevise"]):
        report.problems.append(f"line {index}: a currency amount without its currency")
    if not re.match(r"^[1-9][0-9A-Z]*$", row["CompteNum"]):
        report.problems.append(f"line {index}: CompteNum {row['CompteNum']!r}")


def _check_numbering(order: list[tuple[str, str]], report: Report) -> None:
    """Opening balances first; each journal's entries numbered 1, 2, 3… in the file's order."""
    if any(journal == OPENING for journal, _ in order):
        first_other = next((i for i, (j, _) in enumerate(order) if j != OPENING), len(order))
        if any(journal == OPENING for journal, _ in order[first_other:]):
            report.problems.append("opening balances are not first")
    last: dict[str, int] = {}
    for journal, number in order:
        matched = NUMBER.match(number)
        if not matched or matched["journal"] != journal:
            report.problems.append(f"EcritureNum {number!r} does not name journal {journal}")
            continue
        n = int(matched["n"])
        if n != last.get(journal, 0) + 1:
            report.problems.append(f"{journal}: entry {n} follows {last.get(journal, 0)}")
        last[journal] = n
