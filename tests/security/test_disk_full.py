"""Finding 14 of the security review: a full disk while staging an upload or writing
``flask opendata export`` gave a 500 or a traceback. The page now answers 507 in French (also when
the database itself reports a full disk), the command exits 1 with a French message, and nothing is
left half-written: the previous open-data files stay, every file opened is closed, no temporary
file or staged upload remains. Simulated by patching the writes, then for real on a small tmpfs
(skipped where mounting is not allowed)."""
import contextlib
import errno
import io
import os
import shutil
import sqlite3
import subprocess
import uuid

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from coordination import errors
from coordination.testing.factories import make_organisation, make_place
from export import publish
from coordination.directory.imports import staging
from tests.directory.imports.helpers import csv_text, row
from tests.french import plain

pytestmark = pytest.mark.usefixtures("import_blueprint")  # the import page, however the app was built

URL = "/coordination/import"


def enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def folders(app, tmp_path, monkeypatch):
    uploads, open_data = tmp_path / "imports", tmp_path / "open-data"
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(uploads))
    monkeypatch.setitem(app.config, "OPEN_DATA_DIR", str(open_data))
    return uploads, open_data


@pytest.fixture
def places(db):
    organisation = make_organisation("Association L'Écran Partagé", pivot="73282932000074")
    return [make_place(organisation, name=f"Espace numérique n° {n}") for n in range(3)]


class FullFile:
    """A file on a disk that fills up after ``room`` bytes: writes fail with ENOSPC from then on,
    and so does the flush that closing does; closing still releases the file, as a real one does."""

    def __init__(self, file, room=0):
        self.file, self.room, self.closed = file, room, False

    def write(self, data):
        if len(data) > self.room:
            raise enospc()
        self.room -= len(data)
        return self.file.write(data)

    def flush(self):
        self.file.flush()

    def fileno(self):
        return self.file.fileno()

    def close(self):
        self.closed = True
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FullText(FullFile):
    """A buffered text file on a full disk: writes are buffered, every flush fails (the last one
    when closing too), and the descriptor is released all the same."""

    def write(self, text):
        return len(text)

    def flush(self):
        raise enospc()

    def close(self):
        self.closed = True
        self.file.close()
        raise enospc()


def upload(client, content: str):
    response = client.post(URL, data={"file": (io.BytesIO(content.encode()), "lieux.csv")},
                           content_type="multipart/form-data")
    return response, response.get_data(as_text=True)


def assert_disk_full_page(response, page):
    assert response.status_code == 507, page[:2000]
    assert "Disque plein" in page and "Le disque du serveur est plein\u00a0: rien n’a été enregistré" in page


def leftovers(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) if folder.exists() else []


# --- the upload page ---------------------------------------------------------------------------------

def test_a_full_disk_while_staging_an_upload_gives_a_french_507_and_leaves_nothing(client, login, coordinator,
                                                                                   folders, monkeypatch):
    uploads, _ = folders
    opened = []

    class FullDiskOs:  # staging's os module, whose files fill the disk after 100 bytes
        def __getattr__(self, name):
            return getattr(os, name)

        def fdopen(self, descriptor, mode):
            opened.append(FullFile(os.fdopen(descriptor, mode), room=100))
            return opened[-1]

    monkeypatch.setattr(staging, "os", FullDiskOs())
    login(coordinator)
    response, page = upload(client, csv_text([row()] * 3))
    assert_disk_full_page(response, page)
    assert len(opened) == 1 and opened[0].closed
    assert leftovers(uploads) == []


@pytest.mark.parametrize("reported", [
    sqlite3.OperationalError("database or disk is full"),
    psycopg.errors.DiskFull('could not extend file "base/16384/16385": No space left on device'),
], ids=["sqlite", "postgresql"])
def test_a_database_reporting_a_full_disk_gives_the_same_page(client, login, coordinator, folders, monkeypatch,
                                                              reported):
    uploads, _ = folders

    def database_full(*args, **kwargs):
        raise OperationalError("INSERT INTO audit_records …", {}, reported)

    monkeypatch.setattr(staging.importing, "check_file", database_full)
    login(coordinator)
    response, page = upload(client, csv_text([row()]))
    assert_disk_full_page(response, page)
    assert leftovers(uploads) == []


def test_other_errors_keep_their_own_pages(client, login, coordinator, folders, monkeypatch):
    def permission(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(staging.importing, "check_file", permission)
    login(coordinator)
    assert upload(client, csv_text([row()]))[0].status_code == 500

    def database_down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open database file"))

    monkeypatch.setattr(staging.importing, "check_file", database_down)
    assert upload(client, csv_text([row()]))[0].status_code == 503
    assert errors.is_disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert not errors.is_disk_full(OSError(errno.EIO, "Input/output error"))


# --- flask opendata export ------------------------------------------------------------------------------

def files_of(folder):
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_a_full_disk_during_the_export_keeps_the_previous_files(runner, folders, places, monkeypatch):
    _, open_data = folders
    assert runner.invoke(args=["opendata", "export"]).exit_code == 0
    before = files_of(open_data)
    opened = []
    real_init = publish._Output.__init__

    def on_a_full_disk(self, path):
        real_init(self, path)
        opened.append(FullFile(self.file))
        self.file = opened[-1]

    monkeypatch.setattr(publish._Output, "__init__", on_a_full_disk)
    result = runner.invoke(args=["opendata", "export"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert "Export impossible : le disque est plein" in plain(result.stderr)
    assert "Les fichiers publiés précédemment sont restés en place, inchangés" in result.stderr
    assert len(opened) == 5 and all(file.closed for file in opened)
    assert files_of(open_data) == before  # no new generation, no temporary file


def test_a_full_disk_while_writing_the_manifest_leaves_no_temporary_file(runner, folders, places, monkeypatch):
    _, open_data = folders
    assert runner.invoke(args=["opendata", "export"]).exit_code == 0
    before = files_of(open_data)
    opened = []
    real_temporary = publish._temporary

    def on_a_full_disk(path, mode="w"):
        stream, temporary = real_temporary(path, mode)
        opened.append(FullText(stream))
        return opened[-1], temporary

    monkeypatch.setattr(publish, "_temporary", on_a_full_disk)
    result = runner.invoke(args=["opendata", "export"])
    assert result.exit_code == 1 and "le disque est plein" in result.stderr, result.output
    assert opened and all(file.closed for file in opened)
    assert files_of(open_data) == before


# --- a real full disk ---------------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs (root only, where the container allows mounting)."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    folder = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    if os.geteuid() != 0 or not mount or subprocess.run(
            [mount, "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(folder)],
            check=False, capture_output=True).returncode:
        pytest.skip("mounting a small tmpfs is not allowed here")
    try:
        yield folder
    finally:
        subprocess.run([umount, "-l", str(folder)], check=False)


def fill(folder):
    """Writes zeros until the disk is full."""
    with contextlib.suppress(OSError), (folder / "filler").open("wb", buffering=0) as stream:
        while True:
            stream.write(b"\0" * 4096)


def test_on_a_real_full_disk(app, client, login, coordinator, runner, places, small_disk, monkeypatch):
    open_data, uploads = small_disk / "open-data", small_disk / "imports"
    monkeypatch.setitem(app.config, "OPEN_DATA_DIR", str(open_data))
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(uploads))
    assert runner.invoke(args=["opendata", "export"]).exit_code == 0
    login(coordinator)
    upload(client, "x")  # creates the upload folder (the file, refused, is removed)
    before = files_of(open_data)
    fill(small_disk)

    make_place(make_organisation(), name="Nouveau lieu après l'export")
    result = runner.invoke(args=["opendata", "export"])
    assert result.exit_code == 1, result.output
    assert "Export impossible : le disque est plein" in plain(result.stderr) and "Traceback" not in result.output
    assert files_of(open_data) == before

    response, page = upload(client, csv_text([row()] * 50))
    assert_disk_full_page(response, page)
    assert leftovers(uploads) == []
