"""Subshift: move subscribers between offers in bulk, safely."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
