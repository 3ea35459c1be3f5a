"""Place forms."""
