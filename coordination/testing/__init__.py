"""Objects built the same way by the demo seed and the test suite (see factories)."""
