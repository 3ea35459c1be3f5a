"""The coordinators' upload page: /coordination/import.

"Vérifier" keeps the uploaded file (``export/staging.py``) and shows the dry run; "Appliquer
l'import" applies that same file, only if its dry run had no error. The token lives in the person's
session: nobody else can apply it.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, HiddenField
from wtforms.validators import DataRequired

from coordination.auth import permissions as auth_permissions
from export import importing, staging

bp = Blueprint("opendata_import", __name__, template_folder="templates")

SESSION_KEY = "opendata_import"


class UploadForm(FlaskForm):
    file = FileField("Fichier à importer (CSV ou JSON)", validators=[DataRequired("Choisissez un fichier.")])
    strip_personal_emails = BooleanField("Ne pas importer les adresses électroniques nominatives (prénom.nom@…)")


class ApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])


@bp.context_processor
def _report_helpers():
    return {"summary_lines": lambda outcome: importing.summary_lines(outcome, command_line=False),
            "report_sections": importing.report_sections, "problem_where": importing.problem_where}


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
    staged = staging.stage_upload(form.file.data, actor=current_user, announced_size=request.content_length,
                                  strip_personal_emails=form.strip_personal_emails.data)
    session[SESSION_KEY] = staged.session_record()
    return render_template("export/import.html", form=UploadForm(formdata=None), outcome=staged.outcome,
                           apply_form=ApplyForm(token=staged.token) if staged.clean else None, filename=staged.name)


@bp.post("/coordination/import/appliquer")
@login_required
def apply():
    _coordinators_only()
    form = ApplyForm()
    token = form.token.data if form.validate_on_submit() else None
    outcome = staging.apply_staged(token, actor=current_user, session_record=session.get(SESSION_KEY))
    if outcome is None:
        flash("Ce fichier n'est plus disponible ou n'a pas été vérifié sans erreur : vérifiez-le à nouveau.", "error")
        return redirect(url_for("opendata_import.upload"))
    session.pop(SESSION_KEY, None)
    return render_template("export/import_result.html", outcome=outcome)
