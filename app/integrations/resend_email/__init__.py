"""E-mail through Resend (client.py), its Svix-signed delivery events (webhooks.py), and the
console stand-in when `RESEND_API_KEY` is unset (console.py)."""
