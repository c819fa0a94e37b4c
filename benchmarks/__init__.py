"""Benchmarks of the platform (run with `python -m benchmarks`); not part of the installed package."""
