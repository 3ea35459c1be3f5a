"""Moved to ``coordination.core.validators``; kept for ``coordination/directory/imports.py`` until
its branch (issue 16, item 2) imports from there. Nothing else may import this module."""
from coordination.core.validators import breaks_line, collapse  # noqa: F401
