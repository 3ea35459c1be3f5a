"""Fixtures for the open-data tests: an empty OPEN_DATA_DIR per test, the shared reference files."""
import shutil
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"


@pytest.fixture(autouse=True)
def open_data_dir(app):
    """OPEN_DATA_DIR, emptied before and after each test (the app's directory is shared by the session)."""
    directory = Path(app.config["OPEN_DATA_DIR"])

    def empty():
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)

    empty()
    yield directory
    empty()


@pytest.fixture
def reference():
    """The shared reference folder (../shared/reference); tests that read it skip without it."""
    if not REFERENCE.is_dir():
        pytest.skip(f"the shared reference files are missing ({REFERENCE}): nothing to validate against")
    return REFERENCE
