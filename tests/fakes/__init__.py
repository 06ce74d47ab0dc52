"""Fakes of external services that answer over their real interface."""
