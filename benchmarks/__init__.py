"""Benchmarks, run as modules from the repository root (``python -m benchmarks.training``).

They print their measurements and end with one JSON line; tests never assert on speed.
"""
