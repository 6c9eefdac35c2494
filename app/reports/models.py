"""The reports own no table: they read the journal, the stock ledger and the till sessions
through those domains' public modules."""

from __future__ import annotations
