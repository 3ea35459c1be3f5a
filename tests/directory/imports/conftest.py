"""Fixtures for the import's tests: an empty OPEN_DATA_DIR per test (the export of imported places is
checked too), the upload page's blueprint, files written for a test, a private upload folder."""
import pytest


@pytest.fixture(autouse=True)
def open_data_dir(open_data_dir):
    return open_data_dir


@pytest.fixture(autouse=True)
def _import_page(import_blueprint):
    """The upload and mapping pages, whichever way the test application was built."""


@pytest.fixture
def write(tmp_path):
    """Writes a test's file (text or bytes) and returns its path."""
    def do_write(content, name="lieux.csv", encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path
    return do_write


@pytest.fixture
def private_uploads(app, tmp_path, monkeypatch):
    """Uploads are kept in IMPORT_UPLOAD_DIR: a temporary one here."""
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path / "instance" / "imports"))
