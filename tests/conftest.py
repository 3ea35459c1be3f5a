"""The suite's fixtures are a plugin (tests/plugin.py); the factories are coordination.testing.factories."""
pytest_plugins = ["tests.plugin"]
