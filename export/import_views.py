"""The coordinators' upload page: /coordination/import.

"Vérifier" keeps the uploaded file in a temporary folder under a random token (with its sha256) and
shows the dry run; "Appliquer l'import" applies that same file, only if its dry run had no error.
The token lives in the person's session: nobody else can apply it.
"""
import hashlib
import secrets
import tempfile
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import FileField, HiddenField
from wtforms.validators import DataRequired

from coordination.auth import permissions as auth_permissions
from export import importing

bp = Blueprint("opendata_import", __name__, template_folder="templates")

UPLOAD_SUBDIR = "maillage-imports"
KEEP_SECONDS = 24 * 3600
SESSION_KEY = "opendata_import"


class UploadForm(FlaskForm):
    file = FileField("Fichier à importer (CSV ou JSON)", validators=[DataRequired("Choisissez un fichier.")])


class ApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / UPLOAD_SUBDIR
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _forget_old_files(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for path in folder.glob("*.upload"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _keep(storage, max_bytes: int) -> tuple[str, str, int]:
    """Writes the upload under a random token, at most max_bytes + 1 bytes; returns token, sha256, size."""
    folder = _folder()
    _forget_old_files(folder)
    token = secrets.token_urlsafe(24)
    digest, size = hashlib.sha256(), 0
    with (folder / f"{token}.upload").open("wb") as out:
        while size <= max_bytes and (chunk := storage.stream.read(1 << 20)):
            chunk = chunk[: max_bytes + 1 - size]
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return token, digest.hexdigest(), size


def _kept(token: str) -> Path | None:
    """The file of this person's last dry run, if it is still there and unchanged."""
    kept = session.get(SESSION_KEY) or {}
    if not token or kept.get("token") != token or not kept.get("clean"):
        return None
    path = _folder() / f"{token}.upload"
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != kept.get("sha256"):
        return None
    return path


@bp.context_processor
def _report_helpers():
    return {"summary_lines": lambda outcome: importing.summary_lines(outcome, command_line=False)}


def _coordinators_only():
    if not auth_permissions.is_coordinator(current_user):
        abort(403)


@bp.get("/coordination/import")
@login_required
def upload():
    _coordinators_only()
    return render_template("export/import.html", form=UploadForm(), outcome=None, apply_form=None)


@bp.post("/coordination/import")
@login_required
def check():
    _coordinators_only()
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("export/import.html", form=form, outcome=None, apply_form=None), 400
    max_bytes = int(current_app.config["IMPORT_MAX_BYTES"])
    token, sha256, size = _keep(form.file.data, max_bytes)
    path = _folder() / f"{token}.upload"
    if size > max_bytes:  # the rest was not even written: the size the browser announced is the best guess
        path.unlink(missing_ok=True)
        outcome = importing.too_big(max(size, request.content_length or 0), max_bytes)
    else:
        outcome = importing.check_file(path, actor=current_user, max_bytes=max_bytes, name=form.file.data.filename)
    session[SESSION_KEY] = {"token": token, "sha256": sha256, "clean": not outcome.has_errors,
                            "name": form.file.data.filename}
    apply_form = ApplyForm(token=token) if not outcome.has_errors else None
    return render_template("export/import.html", form=UploadForm(formdata=None), outcome=outcome,
                           apply_form=apply_form, filename=form.file.data.filename)


@bp.post("/coordination/import/appliquer")
@login_required
def apply():
    _coordinators_only()
    form = ApplyForm()
    path = _kept(form.token.data) if form.validate_on_submit() else None
    if path is None:
        flash("Ce fichier n'est plus disponible ou n'a pas été vérifié sans erreur : vérifiez-le à nouveau.", "error")
        return redirect(url_for("opendata_import.upload"))
    outcome = importing.apply_file(path, actor=current_user, name=session[SESSION_KEY].get("name"))
    path.unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)
    return render_template("export/import_result.html", outcome=outcome)
