"""Fixtures of the adoption tests: the gate installed alone (see ``installs``)."""

from __future__ import annotations

from compat_tests.adoption.installs import folder_install, wheel_install

__all__ = ["folder_install", "wheel_install"]
