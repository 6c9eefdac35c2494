"""The demo salon loaded by `python -m app.cli seed` (and `make run`), from seed_data/.

Every row is looked up by a natural key before it is created, so seeding twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core.config import PROJECT_ROOT

SEED_DIR = PROJECT_ROOT / "seed_data"


def read_seed(name: str) -> Any:
    return json.loads((SEED_DIR / name).read_text(encoding="utf-8"))


async def load_demo_salon(seed_dir: Path = SEED_DIR) -> list[str]:
    """Load every domain's demo data; returns one summary line per domain."""
    return []
