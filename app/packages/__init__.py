"""Prepaid series of sessions ("5 séances de drainage", "10 UV + 1 offerte") and their use."""
