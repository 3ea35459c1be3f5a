"""Moved to ``coordination.core.clock``; kept for ``coordination/directory/imports.py`` until its
branch (issue 16, item 2) imports from there. Nothing else may import this module."""
from coordination.core.clock import PARIS, utcnow  # noqa: F401
