"""Membership plans, Stripe Billing subscriptions, their entitlements and their timeline."""
