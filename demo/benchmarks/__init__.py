"""Benchmarks for ``manage.py bench``: generated England-sized data sets (``gias``, ``risk``) and their timings."""
