"""Staff users and roles, client accounts, tokens, and the audit log."""
