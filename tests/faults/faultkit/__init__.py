"""Helpers of the faults tier: a private stack, isolated scenarios, service processes, the oracle, the report."""
