"""Benchmarks: scripts that print figures (never pass/fail timing tests)."""
