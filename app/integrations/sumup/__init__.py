"""The SumUp card reader: readers, checkouts, refunds (client.py), the reader's signed result
callback (webhooks.py), and the console stand-in when its keys are unset (console.py)."""
