"""More and more site visitors (each with as many `/health` probes), one locust run per step,
until the mix's p95 crosses 500 ms; prints each step and the crossing, interpolated between
the last two steps. Against a running server, as `make load`:

    python bench/load/ramp.py --host http://127.0.0.1:8000 --duration 40s --steps 50,100,200,400
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from summary import summarise

LIMIT_MS = 500.0
HERE = Path(__file__).resolve().parent


def run_step(host: str, users: int, duration: str, out: Path) -> dict[str, object]:
    prefix = out / f"ramp_{users}"
    subprocess.run(  # noqa: S603 - our own locust and locustfile
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "-u",
            str(2 * users),
            "-r",
            str(max(1, 2 * users // 5)),
            "-t",
            duration,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=os.environ | {"USERS": str(users), "STAFF_USERS": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return summarise(str(prefix))


def wait_until_up(host: str, seconds: float = 120) -> None:
    """The server answers `/health` (it may still be starting its workers)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{host}/health", timeout=2):  # noqa: S310 - our server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("LOAD_HOST", "http://127.0.0.1:8000"))
    parser.add_argument("--duration", default="40s")
    parser.add_argument("--steps", default="50,100,200,300,400,500,600,800")
    parser.add_argument("--out", default="var/load")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    wait_until_up(args.host)
    print(
        f"{'visitors':>8} {'mix p50':>8} {'mix p95':>8} {'health p95':>10} {'rps':>7} {'errors':>6}"
    )
    previous: tuple[int, float] | None = None
    for users in (int(step) for step in args.steps.split(",")):
        figures = run_step(args.host, users, args.duration, out)
        mix, health = figures["mix"], figures["health"]
        p95 = float(mix["p95"] or 0)  # type: ignore[index]
        print(
            f"{users:>8} {mix['p50'] or 0:>8.0f} {p95:>8.0f} "  # type: ignore[index]
            f"{health['p95'] or 0:>10.0f} {figures['rps']:>7.1f} {figures['failures']:>6}",  # type: ignore[index]
            flush=True,
        )
        if p95 > LIMIT_MS:
            if previous is None:
                print(f"p95 above {LIMIT_MS:.0f} ms from the first step ({users} visitors)")
            else:
                low_users, low_p95 = previous
                crossing = low_users + (users - low_users) * (LIMIT_MS - low_p95) / (p95 - low_p95)
                print(f"p95 crosses {LIMIT_MS:.0f} ms at about {crossing:.0f} visitors")
            return 0
        previous = (users, p95)
    print(f"p95 stayed under {LIMIT_MS:.0f} ms up to {previous[0] if previous else 0} visitors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
