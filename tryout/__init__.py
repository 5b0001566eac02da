"""Trying the product out: the demo world, the simulation of many alliances, the benchmarks.

Used by `make run`, `make simulate`, `make bench` and the tests; nothing of the product imports it.
"""
