"""Print a locust run's figures: p50 / p95 / p99 per route, errors, requests per second, and
the mix's p95 against `/health`'s under the same load (the ratio: these machines are noisy).

    python bench/load/summary.py var/load/run      # reads run_stats.csv and run_mix.json
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def _ms(value: object) -> str:
    if value in (None, "", "N/A"):
        return "-"
    return f"{float(str(value)):.0f}"


def summarise(prefix: str) -> dict[str, object]:
    """The run's figures (also what `ramp.py` reads)."""
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    mix = json.loads(Path(f"{prefix}_mix.json").read_text(encoding="utf-8"))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    health_p95, mix_p95 = mix["health"]["p95"], mix["mix"]["p95"]
    return {
        "routes": [row for row in rows if row["Name"] != "Aggregated"],
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "mix": mix["mix"],
        "health": mix["health"],
        "ratio": (mix_p95 / health_p95) if mix_p95 and health_p95 else None,
    }


def main(prefix: str) -> int:
    figures = summarise(prefix)
    print(f"{'route':<52} {'requests':>8} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for row in figures["routes"]:  # type: ignore[attr-defined]
        print(
            f"{row['Name'][:52]:<52} {row['Request Count']:>8} {row['Failure Count']:>6}"
            f" {_ms(row['50%']):>6} {_ms(row['95%']):>6} {_ms(row['99%']):>6}"
        )
    mix, health = figures["mix"], figures["health"]
    print(
        f"\nmix (every route but /health): {mix['requests']} requests, "  # type: ignore[index]
        f"{mix['failures']} errors, p50 {_ms(mix['p50'])} / p95 {_ms(mix['p95'])} / "  # type: ignore[index]
        f"p99 {_ms(mix['p99'])} ms"  # type: ignore[index]
    )
    print(
        f"/health baseline: {health['requests']} requests, p50 {_ms(health['p50'])} / "  # type: ignore[index]
        f"p95 {_ms(health['p95'])} / p99 {_ms(health['p99'])} ms"  # type: ignore[index]
    )
    ratio = figures["ratio"]
    print(
        f"requests/s {figures['rps']:.1f}, errors {figures['failures']}, "
        f"mix p95 / health p95 = {ratio:.1f}"
        if ratio
        else "ratio: -"
    )
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "var/load/run"))
