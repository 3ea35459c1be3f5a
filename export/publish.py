"""Writes the open-data files into OPEN_DATA_DIR: one pass over the public places feeds every writer.

Every file is first written to a temporary name in its final folder and renamed only when all of
them are complete: a failure leaves the previous files untouched. The data package and the manifest
(sizes, checksums, row counts) are written last; the pages and the catalogue read the manifest.
One export at a time: a lock file serialises the command, the nightly job and the first request.
"""
import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app

from coordination.directory.serializers import standard_record
from coordination.directory.services import count_public_places, iter_public_places
from coordination.utils import external_url
from export import catalog
from export.formats import FILES, dumps

LOCK = ".publish.lock"
PROGRESS_EVERY = 500
# Without files yet, the first request generates them; above this size that is the command's job.
ON_DEMAND_MAX_PLACES = 20_000


@contextlib.contextmanager
def _exclusive(directory: Path):
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _temporary(path: Path, mode: str = "w"):
    """An open file beside ``path`` under a unique name (same folder: the rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return os.fdopen(handle, mode, encoding="utf-8", newline=""), Path(name)


def _close(stream):
    stream.flush()
    os.fsync(stream.fileno())
    stream.close()


def _install(temporary: Path, path: Path) -> dict:
    """Renames the finished temporary file over ``path``; returns its size and checksum."""
    with temporary.open("rb") as stream:
        digest = hashlib.file_digest(stream, "sha256").hexdigest()
    os.chmod(temporary, 0o644)
    size = temporary.stat().st_size
    os.replace(temporary, path)
    return {"bytes": size, "sha256": digest}


def write_atomically(path: Path, text: str) -> dict:
    stream, temporary = _temporary(path)
    try:
        stream.write(text)
        _close(stream)
        return _install(temporary, path)
    except BaseException:
        stream.close()
        temporary.unlink(missing_ok=True)
        raise


def _write_data_files(directory: Path, progress) -> list[dict]:
    """Streams the public places once into every format; returns (name, temporary path, rows) per file."""
    context = {"source": current_app.config["NETWORK_NAME"],
               "place_url": external_url("directory.place_page", public_id="__id__")}
    opened = []
    try:
        for name, *_ in FILES:
            opened.append(_temporary(directory / name))
        writers = [spec[2](stream, context) for spec, (stream, _) in zip(FILES, opened, strict=True)]
        for writer in writers:
            writer.begin()
        done = 0
        # closing(): a writer that fails mid-way releases the server-side cursor at once
        with contextlib.closing(iter_public_places()) as places:
            for place in places:
                record = standard_record(place, source=context["source"])
                encoded = dumps(record)
                for writer in writers:
                    writer.add(record, encoded)
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress(PROGRESS_EVERY)
        for writer in writers:
            writer.end()
        for stream, _ in opened:
            _close(stream)
        if progress and done % PROGRESS_EVERY:
            progress(done % PROGRESS_EVERY)
        return [{"temporary": temporary, "rows": writer.rows} for (_, temporary), writer in zip(opened, writers,
                                                                                                strict=True)]
    except BaseException:
        for stream, temporary in opened:
            stream.close()
            temporary.unlink(missing_ok=True)
        raise


def publish_all(progress=None) -> dict:
    """Regenerates every open-data file; returns the new manifest (files with name, bytes, sha256,
    rows, generated_at). ``progress(n)`` is called as places are written (n places at a time)."""
    directory = catalog.open_data_dir()
    with _exclusive(directory):
        return _publish(directory, progress)


def _publish(directory: Path, progress) -> dict:
    started = time.monotonic()
    generated_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    written = _write_data_files(directory, progress)
    entries = []
    for (name, title, _, media_type, file_format, conforms_to), result in zip(FILES, written, strict=True):
        installed = _install(result["temporary"], directory / name)
        entries.append({"name": name, "title": title, "media_type": media_type, "format": file_format,
                        "conforms_to": conforms_to, "rows": result["rows"], "generated_at": generated_at,
                        **installed})
    package = catalog.datapackage(entries, generated_at=generated_at)
    installed = write_atomically(directory / catalog.DATAPACKAGE, json.dumps(package, ensure_ascii=False, indent=2))
    entries.append({"name": catalog.DATAPACKAGE, "title": "Description du jeu de données (Frictionless)",
                    "media_type": "application/json", "format": "json", "conforms_to": None, "rows": None,
                    "generated_at": generated_at, **installed})
    manifest = {"generated_at": generated_at, "places": entries[0]["rows"],
                "seconds": round(time.monotonic() - started, 3), "files": entries}
    write_atomically(directory / catalog.MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def _complete(manifest: dict | None, directory: Path) -> bool:
    return bool(manifest) and all((directory / entry["name"]).is_file() for entry in manifest["files"])


def ensure_published() -> dict | None:
    """The current manifest; without one (files never generated, or removed), generates the files
    now for a network small enough, else returns None (the command or the nightly job will)."""
    directory = catalog.open_data_dir()
    manifest = catalog.read_manifest()
    if _complete(manifest, directory):
        return manifest
    if count_public_places() > ON_DEMAND_MAX_PLACES:
        return None
    with _exclusive(directory):  # a concurrent request waits here, then finds the files
        manifest = catalog.read_manifest()
        return manifest if _complete(manifest, directory) else _publish(directory, None)


@click.command("export")
def export_command():
    """Régénère les fichiers de données ouvertes (standard national, GeoJSON, data·inclusion)."""
    total = count_public_places()
    with click.progressbar(length=total, label="Export des lieux publiés") as bar:
        manifest = publish_all(progress=bar.update)
    places = manifest["places"]
    plural = "s" if places > 1 else ""
    click.echo(f"{_number(places)} lieu{'x' if places > 1 else ''} exporté{plural} en {_decimal(manifest['seconds'])} s "
               f"dans {catalog.open_data_dir()} :")
    for entry in manifest["files"]:
        rows = f", {_number(entry['rows'])} enregistrement{'s' if entry['rows'] > 1 else ''}" if entry["rows"] is not None else ""
        click.echo(f"  {entry['name']} : {catalog.human_size(entry['bytes'])}{rows}")


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")
