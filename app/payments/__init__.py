"""Payments: money taken online (Stripe, PayPal), on the SumUp card terminal, in cash or by
transfer; refunds, tips, and provider webhooks applied exactly once."""
