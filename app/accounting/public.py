"""What other parts of the application may use from the books: the FEC of a year (the CLI)
and locking a year."""

from __future__ import annotations

from app.accounting.fec import file_name, rows, stream
from app.accounting.service import lock_period, lock_year

__all__ = ["file_name", "lock_period", "lock_year", "rows", "stream"]
