"""Salon backend: a modular monolith for a French beauty institute."""
