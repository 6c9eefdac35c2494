"""SMS through OVH (client.py) and the console stand-in when its keys are unset (console.py)."""
