"""Writes the open-data files into OPEN_DATA_DIR: one pass over the public places feeds every writer.

Each export writes a complete generation of files into a new folder (``gen-<time>-<random>/``),
then replaces the manifest, which names that folder, in one rename: the pages, the downloads and
the catalogue read the manifest and the files of the generation it names, so a file is never served
with another generation's size or checksum. A failure before that rename removes the new folder
and leaves the previous generation and manifest untouched. The previous generation is kept for the
downloads still reading it; older ones are removed. Beside them, each file's plain name is a
symbolic link to its newest version, for whoever reads the folder directly (backups, scripts).
One export at a time: a lock file serialises the command, the nightly job and the first request.
"""
import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask_babel import format_decimal, gettext as _, lazy_gettext, ngettext

from coordination.directory.serializers import standard_record
from coordination.directory.services import active_label_names, count_public_places, iter_public_places
from coordination.errors import is_disk_full
from coordination.utils import external_url
from export import catalog
from export.formats import FILES, dumps

LOCK = ".publish.lock"
PROGRESS_EVERY = 500
FLUSH_EVERY = 250  # places whose text is held before it is encoded and written (a few hundred kB)
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


def _fsync_directory(path: Path):
    """Makes the names created in ``path`` durable (a crash must not lose a renamed file)."""
    handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


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
        _close_quietly(stream)  # on a full disk, closing flushes again and fails again
        temporary.unlink(missing_ok=True)
        raise


def _close_quietly(stream):
    """Closes ``stream`` (its descriptor is released even when the last flush fails): the file is
    being given up, the error that made us give it up is the one to report."""
    with contextlib.suppress(OSError):
        stream.close()


class _Output:
    """A new file that writers write text to: the text is gathered, then encoded to UTF-8, hashed
    and written once per batch of places (``flush``), so the file is never encoded twice nor read
    back for its checksum. ``write`` is the list's own append: the cheapest call a writer can make."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = path.open("xb")
        self.parts = []
        self.write = self.parts.append
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def flush(self):
        if self.parts:
            data = "".join(self.parts).encode("utf-8")
            self.parts.clear()
            self.sha256.update(data)
            self.file.write(data)
            self.bytes += len(data)

    def close(self) -> dict:
        """Flushes and syncs the file; returns its size and checksum."""
        self.flush()
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        return {"bytes": self.bytes, "sha256": self.sha256.hexdigest()}


def _write_data_files(generation: Path, progress, files=FILES, span: dict | None = None) -> list[dict]:
    """Streams the public places once into every format of ``files``, each file in the new
    generation's folder (nothing reads that folder before the manifest names it); returns rows,
    bytes and sha256 of each. ``span`` gets the oldest and newest date_maj written (the catalogue's
    temporal coverage)."""
    first = last = None
    context = {"source": current_app.config["NETWORK_NAME"],
               "place_url": external_url("directory.place_page", public_id="__id__")}
    network_labels = active_label_names()
    outputs = []
    try:
        for name, *_ in files:
            outputs.append(_Output(generation / name))
        writers = [spec[2](output, context) for spec, output in zip(files, outputs, strict=True)]
        for writer in writers:
            writer.begin()
        done = 0
        encode = any(writer.uses_encoded for writer in writers)
        # closing(): a writer that fails mid-way releases the server-side cursor at once
        with contextlib.closing(iter_public_places(with_postal_address=True)) as places:
            for place in places:
                record = standard_record(place, source=context["source"], network_labels=network_labels)
                day = record["date_maj"]
                if first is None or day < first:
                    first = day
                if last is None or day > last:
                    last = day
                encoded = dumps(record) if encode else None
                for writer in writers:
                    writer.add(record, encoded)
                done += 1
                if done % FLUSH_EVERY == 0:
                    for output in outputs:
                        output.flush()
                if progress and done % PROGRESS_EVERY == 0:
                    progress(PROGRESS_EVERY)
        for writer in writers:
            writer.end()
        if span is not None and first is not None:
            span.update(first_date=first, last_date=last)
        if progress and done % PROGRESS_EVERY:
            progress(done % PROGRESS_EVERY)
        return [{"rows": writer.rows, **output.close()} for writer, output in zip(writers, outputs, strict=True)]
    finally:
        for output in outputs:  # already closed when complete; the caller removes the folder on failure
            _close_quietly(output.file)


def publish_all(progress=None) -> dict:
    """Regenerates every open-data file; returns the new manifest (the generation's folder, files
    with name, bytes, sha256, rows, generated_at). ``progress(n)`` is called as places are written
    (n places at a time)."""
    directory = catalog.open_data_dir()
    with _exclusive(directory):
        return _publish(directory, progress)


def write_one_format(name: str, folder: Path) -> dict:
    """Writes one open-data file (``name`` of export.formats.FILES) into ``folder``, outside any
    generation: the benchmark times each format on its own. Returns rows, bytes and sha256."""
    files = [spec for spec in FILES if spec[0] == name]
    if not files:
        raise ValueError(f"format inconnu : {name}")
    return _write_data_files(folder, None, files)[0]


def _new_generation(directory: Path, moment: datetime) -> Path:
    generation = Path(tempfile.mkdtemp(prefix=f"gen-{moment:%Y%m%dT%H%M%SZ}-", dir=directory))
    os.chmod(generation, 0o755)
    return generation


def _publish(directory: Path, progress) -> dict:
    started = time.monotonic()
    now = datetime.now(UTC).replace(microsecond=0)
    generated_at = now.isoformat()
    previous = catalog.read_manifest()
    generation = _new_generation(directory, now)
    try:
        span: dict = {}
        written = _write_data_files(generation, progress, span=span)
        entries = []
        for (name, title, _, media_type, file_format, conforms_to), result in zip(FILES, written, strict=True):
            entries.append({"name": name, "title": title, "media_type": media_type, "format": file_format,
                            "conforms_to": conforms_to, "generated_at": generated_at, **result})
        package = catalog.datapackage(entries, generated_at=generated_at, version=catalog.dataset_version(now))
        installed = write_atomically(generation / catalog.DATAPACKAGE,
                                     json.dumps(package, ensure_ascii=False, indent=2))
        entries.append({"name": catalog.DATAPACKAGE, "title": "Description du jeu de données (Frictionless)",
                        "media_type": "application/json", "format": "json", "conforms_to": None, "rows": None,
                        "generated_at": generated_at, **installed})
        for folder in {(generation / entry["name"]).parent for entry in entries}:
            _fsync_directory(folder)
        # issued: the first publication, carried from manifest to manifest (issue 15, item 8)
        issued = (previous or {}).get("issued") or (previous or {}).get("generated_at") or generated_at
        manifest = {"generated_at": generated_at, "issued": issued, "directory": generation.name,
                    "places": entries[0]["rows"], **span, "seconds": round(time.monotonic() - started, 3),
                    # public places left out of the files for want of an address (issue 15)
                    "without_address": max(0, count_public_places() - entries[0]["rows"]),
                    "files": entries}
        # the switch: from this rename on, every reader gets the new generation
        write_atomically(directory / catalog.MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    _fsync_directory(directory)
    _link_plain_names(directory, generation, entries)
    _remove_old_generations(directory, keep={generation.name, (previous or {}).get("directory")})
    return manifest


def _link_plain_names(directory: Path, generation: Path, entries: list[dict]):
    """Points each file's plain name (``OPEN_DATA_DIR/<name>``) at the new generation's file; the
    previous generation is still there, so a link is never left dangling."""
    for entry in entries:
        link = directory / entry["name"]
        link.parent.mkdir(parents=True, exist_ok=True)
        temporary = link.with_name(f".{link.name}.{secrets.token_hex(4)}.tmp")
        os.symlink(os.path.relpath(generation / entry["name"], link.parent), temporary)
        os.replace(temporary, link)


def _remove_old_generations(directory: Path, keep: set):
    """Removes the generations older than the previous one (and any left by an interrupted export)."""
    for path in directory.iterdir():
        if path.is_dir() and not path.is_symlink() and catalog.GENERATION.fullmatch(path.name) \
                and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _complete(manifest: dict | None) -> bool:
    return bool(manifest) and all((catalog.files_dir(manifest) / entry["name"]).is_file()
                                  for entry in manifest["files"])


def ensure_published() -> dict | None:
    """The current manifest; without one (files never generated, or removed), generates the files
    now for a network small enough, else returns None (the command or the nightly job will)."""
    directory = catalog.open_data_dir()
    manifest = catalog.read_manifest()
    if _complete(manifest):
        return manifest
    if count_public_places() > ON_DEMAND_MAX_PLACES:
        return None
    with _exclusive(directory):  # a concurrent request waits here, then finds the files
        manifest = catalog.read_manifest()
        return manifest if _complete(manifest) else _publish(directory, None)


@click.command("export", help=lazy_gettext(
    "Régénère les fichiers de données ouvertes (standard national, GeoJSON, data·inclusion)."))
def export_command():
    total = count_public_places()
    try:
        with click.progressbar(length=total, label=_("Export des lieux publiés")) as bar:
            manifest = publish_all(progress=bar.update)
    except OSError as error:
        if not is_disk_full(error):
            raise
        click.echo(_("Export impossible : le disque est plein (%(folder)s). Les fichiers publiés précédemment sont "
                     "restés en place, inchangés, et rien n'a été écrit à moitié. Libérez de la place puis relancez "
                     "« %(command)s ».", folder=catalog.open_data_dir(), command="flask opendata export"), err=True)
        raise SystemExit(1) from None
    click.echo(ngettext("%(places)s lieu exporté en %(seconds)s s dans %(folder)s :",
                        "%(places)s lieux exportés en %(seconds)s s dans %(folder)s :", manifest["places"],
                        places=format_decimal(manifest["places"]), seconds=format_decimal(manifest["seconds"], "0.0"),
                        folder=catalog.open_data_dir()))
    for entry in manifest["files"]:
        size = catalog.human_size(entry["bytes"])
        line = _("%(file)s : %(size)s", file=entry["name"], size=size) if entry["rows"] is None else ngettext(
            "%(file)s : %(size)s, %(rows)s enregistrement", "%(file)s : %(size)s, %(rows)s enregistrements",
            entry["rows"], file=entry["name"], size=size, rows=format_decimal(entry["rows"]))
        click.echo("  " + line)
