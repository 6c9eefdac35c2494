"""Opening hours, closures, exceptional openings, blocked slots, booking rules and the slot
engine."""
