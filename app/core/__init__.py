"""The shared kernel: configuration, database, errors, security. Imports no domain."""
