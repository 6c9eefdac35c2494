"""Service categories, services (durations, buffers, processing time, prices, deposits),
their prerequisites and resources, and retail products."""
