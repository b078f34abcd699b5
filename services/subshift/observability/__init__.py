"""Logs and metrics shared by every Subshift process."""
