"""The upload page's files: kept between the dry run and "Appliquer l'import".

An upload is written in its own folder (mode 0700, random token for a name) under
``<instance>/imports`` (mode 0700, owned by the user running the application, checked before
every use), with its sha256. Applying needs the same token, from the person's own session
(``session_record``), and the same bytes.
"""
import hashlib
import os
import secrets
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from coordination.directory.imports import importing, profiles, reading
from coordination.directory.imports.plan import ERROR, PENDING

FILE_NAME = "fichier.upload"
KEEP_SECONDS = 24 * 3600
CHUNK = 1 << 20


@dataclass
class StagedUpload:
    token: str
    sha256: str
    size: int
    name: str | None
    path: Path
    outcome: importing.Outcome
    strip_personal_emails: bool = False
    profile: str | None = None  # the mapping profile the file is read with (issue 15)
    mapped: bool = False  # read with the profile the mapping page just saved

    @property
    def mappable(self) -> bool:
        """Kept for the mapping page: in no known format, or in error with the page's own profile
        (the coordinator goes back to the mapping and saves it again)."""
        return self.unknown_format or (self.mapped and not self.clean)

    @property
    def unknown_format(self) -> bool:
        """Not a known format: kept for the mapping page (« Faire correspondre les colonnes »)."""
        return self.outcome.read.format == reading.UNKNOWN_FORMAT

    @property
    def clean(self) -> bool:
        return not self.outcome.has_errors

    @property
    def rows_in_error(self) -> int:
        return len({p.line for p in self.outcome.problems if p.severity == ERROR and p.line > 1})

    @property
    def skippable(self) -> bool:
        """Errors on some rows only, and places to import from the others: the coordinator may apply
        the file without those rows (the command line's --skip-invalid)."""
        plan = self.outcome.plan
        file_errors = any(p.severity == ERROR and p.line <= 1 for p in self.outcome.problems)
        return (plan is not None and not self.clean and not file_errors and self.rows_in_error > 0
                and plan.to_create + plan.to_update > 0)

    def session_record(self) -> dict:
        """What the person's session keeps to apply this file later."""
        return {"token": self.token, "sha256": self.sha256, "clean": self.clean, "name": self.name,
                "strip_personal_emails": self.strip_personal_emails, "profile": self.profile,
                "mappable": self.mappable, "skippable": self.skippable}


def upload_folder() -> Path:
    """IMPORT_UPLOAD_DIR, created private; refused when someone else owns it or can enter it."""
    folder = Path(current_app.config["IMPORT_UPLOAD_DIR"])
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    status = os.lstat(folder)
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid():
        raise RuntimeError(f"Le dossier des imports {folder} n'appartient pas à l'utilisateur de l'application "
                           "(ou n'est pas un dossier) : supprimez-le, il sera recréé.")
    if status.st_mode & 0o077:
        os.chmod(folder, 0o700)
    return folder


def _forget_old_uploads(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink() and path.stat().st_mtime < limit:
            shutil.rmtree(path, ignore_errors=True)


def _path_of(token: str) -> Path | None:
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return upload_folder() / token / FILE_NAME


def _write(stream, path: Path, max_bytes: int) -> tuple[str, int]:
    """At most max_bytes + 1 bytes (enough to know the file is too big); returns sha256 and size."""
    digest, size = hashlib.sha256(), 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        while size <= max_bytes and (chunk := stream.read(CHUNK)):
            chunk = chunk[: max_bytes + 1 - size]
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def stage_upload(file_storage, *, actor, announced_size: int | None = None,
                 strip_personal_emails: bool = False,
                 publication: str = PENDING,
                 profile: profiles.Profile | None = None) -> StagedUpload:
    """Keeps the upload under a new token and runs its dry run (the configuration's size limit),
    read with ``profile`` if given. A file with an error cannot be applied: it is removed at once
    (and whatever fails on the way), unless its only fault is an unknown format (the mapping page
    reads it then) or its errors are on some rows only (it may be applied without them)."""
    folder = upload_folder()
    _forget_old_uploads(folder)
    max_bytes = int(current_app.config["IMPORT_MAX_BYTES"])
    token = secrets.token_urlsafe(24)
    (folder / token).mkdir(mode=0o700)
    path = folder / token / FILE_NAME
    try:
        sha256, size = _write(file_storage.stream, path, max_bytes)
        name = file_storage.filename
        if size > max_bytes:  # the rest was not even written: the size the browser announced is the best guess
            outcome = importing.too_big(max(size, announced_size or 0), max_bytes)
        else:
            outcome = importing.check_file(path, actor=actor, max_bytes=max_bytes, name=name,
                                           strip_personal_emails=strip_personal_emails, publication=publication,
                                           profile=profile)
    except BaseException:
        _forget(path)
        raise
    staged = StagedUpload(token=token, sha256=sha256, size=size, name=name, path=path, outcome=outcome,
                          strip_personal_emails=strip_personal_emails, profile=profile.name if profile else None)
    if outcome.has_errors and not (staged.mappable or staged.skippable):
        _forget(path)
    return staged


def mappable_path(session_record: dict | None) -> Path | None:
    """The file of this person's last upload when the mapping page may read it (``mappable``),
    still there, unchanged."""
    kept = session_record or {}
    if not kept.get("mappable"):
        return None
    return _unchanged(kept.get("token"), kept)


def recheck(session_record: dict | None, *, actor, profile: profiles.Profile,
            publication: str = PENDING) -> StagedUpload | None:
    """The dry run again, of the file kept for the mapping page, read with ``profile``; None when
    that file is gone. A file with an error stays for the mapping page (24 h, as any upload)."""
    path = mappable_path(session_record)
    if path is None:
        return None
    kept = session_record or {}
    strip = bool(kept.get("strip_personal_emails"))
    outcome = importing.check_file(path, actor=actor, max_bytes=int(current_app.config["IMPORT_MAX_BYTES"]),
                                   name=kept.get("name"), strip_personal_emails=strip, publication=publication,
                                   profile=profile)
    staged = StagedUpload(token=kept["token"], sha256=kept["sha256"], size=path.stat().st_size, name=kept.get("name"),
                          path=path, outcome=outcome, strip_personal_emails=strip, profile=profile.name, mapped=True)
    return staged


def staged_path(token: str, session_record: dict | None, *, skip_invalid: bool = False) -> Path | None:
    """The file of this person's last dry run, if it had no error (or errors on some rows only, to
    be left out) and is still there, unchanged."""
    kept = session_record or {}
    if not (kept.get("clean") or (skip_invalid and kept.get("skippable"))):
        return None
    return _unchanged(token, kept)


def _unchanged(token: str | None, kept: dict) -> Path | None:
    if not token or kept.get("token") != token:
        return None
    path = _path_of(token)
    if path is None or not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return path if digest.hexdigest() == kept.get("sha256") else None


def apply_staged(token: str, *, actor, session_record: dict | None, publication: str = PENDING,
                 notify: bool = False, skip_invalid: bool = False) -> importing.Outcome | None:
    """Applies the staged file and forgets it; None when it cannot be applied (see ``staged_path``).
    ``skip_invalid``: the rows in error are left out (the person chose it after the dry run)."""
    path = staged_path(token, session_record, skip_invalid=skip_invalid)
    if path is None:
        return None
    try:
        kept = session_record or {}
        try:
            profile = profiles.load(kept["profile"]) if kept.get("profile") else None
        except profiles.ProfileError:  # removed since the dry run: check the file again
            return None
        return importing.apply_file(path, actor=actor, name=kept.get("name"), profile=profile,
                                    strip_personal_emails=bool(kept.get("strip_personal_emails")),
                                    publication=publication, notify=notify, skip_invalid=skip_invalid)
    finally:
        _forget(path)


def _forget(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)
