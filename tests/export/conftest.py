"""Fixtures for the open-data tests: an empty OPEN_DATA_DIR per test (``open_data_dir`` and ``reference``
are in tests/plugin.py, shared with the import's tests)."""
import pytest


@pytest.fixture(autouse=True)
def open_data_dir(open_data_dir):
    return open_data_dir
