"""Test builders, one module per domain (`tests/factories/<domain>.py`), plus `core` for
times, settings and the worker's loops.

Each builder writes through `unit_of_work()`, as the application does: under the default
savepoint isolation (tests/conftest.py) its commit releases a savepoint of the test's
transaction; in a `commits` test it commits for real. Older import paths (tests/builders.py,
tests/bookings/salon.py, tests/payments/helpers.py) re-export these names.
"""
