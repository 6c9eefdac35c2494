"""PayPal Orders v2: orders, captures, refunds and the webhook check (client.py), webhook
payloads (webhooks.py), and the console stand-in when its keys are unset (console.py)."""
