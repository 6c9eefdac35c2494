"""Referrals: a readable code per client, a friend's welcome, the referrer's reward after the
friend's first paid visit, and the fraud checks in between (docs/referrals.md)."""
