"""Network meetings (issue: quarterly network meetings)."""
