"""The national-scale benchmark (issue 8): ``python -m bench.generate``, ``python -m bench.run``."""
