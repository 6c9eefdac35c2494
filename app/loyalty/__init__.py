"""Loyalty: the points ledger per client, earning rules, tiers, rewards, the member card."""
