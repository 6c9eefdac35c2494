"""Stripe: PaymentIntents, refunds, saved cards (client.py), signed webhooks (webhooks.py),
and the console stand-in when `STRIPE_SECRET_KEY` is unset (console.py)."""
