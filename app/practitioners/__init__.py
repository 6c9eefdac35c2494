"""Practitioners, the services they perform, their weekly hours and absences; resources."""
