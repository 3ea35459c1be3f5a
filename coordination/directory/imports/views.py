"""The coordinators' upload page: /coordination/import.

"Vérifier" keeps the uploaded file (``staging.py``) and shows the dry run; "Appliquer
l'import" applies that same file, only if its dry run had no error. The token lives in the person's
session: nobody else can apply it.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from wtforms import BooleanField, FileField, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from coordination.directory import imports
from coordination.errors import Invalid


from coordination.auth import permissions as auth_permissions
from coordination.directory.imports import mapping, profiles, report, staging
from coordination.web.forms import Form, SelectChoice

bp = Blueprint("opendata_import", __name__, template_folder="templates")

SESSION_KEY = "opendata_import"


PUBLICATION_CHOICES = [
    SelectChoice(imports.PENDING, lazy_gettext("En attente : chaque organisation attend la décision d'un coordinateur (file de "
                             "modération) ; ses lieux ne sont pas publics d'ici là")),
    SelectChoice(imports.ACCEPTED, lazy_gettext("Acceptées (source de confiance) : leurs lieux sont publics tout de suite"))]
NOTIFY_LABEL = (lazy_gettext("Prévenir les structures : une invitation par organisation créée, envoyée à l'adresse du fichier, "
                "étalée dans le temps (sans cette case, aucun courriel n'est envoyé aux adresses du fichier)"))


def _publication_field(id_prefix: str = "") -> RadioField:
    """What the coordinator decides for the organisations the import creates (issue 15)."""
    # Left out of the form (an older page, a script): "pending", the careful choice.
    return RadioField(lazy_gettext("Organisations créées par l'import"), choices=PUBLICATION_CHOICES, default=imports.PENDING,
                      id=f"{id_prefix}publication")


class UploadForm(Form):
    file = FileField(lazy_gettext("Fichier à importer (CSV ou JSON)"), validators=[DataRequired(lazy_gettext("Choisissez un fichier."))])
    strip_personal_emails = BooleanField(lazy_gettext("Ne pas importer les adresses électroniques nominatives (prénom.nom@…)"))
    profil = SelectField(lazy_gettext("Profil de correspondance"), default="", validate_choice=False)
    publication = _publication_field()
    notify = BooleanField(NOTIFY_LABEL, default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.profil.choices = [SelectChoice("", _("Aucun : format reconnu automatiquement")),
                               *(SelectChoice(name, name) for name in profiles.available())]

    def validate_profil(self, field):
        if field.data and field.data not in profiles.available():
            raise ValidationError(_("Profil « %(name)s » introuvable : choisissez-en un dans la liste.",
                                    name=field.data))


class ApplyForm(Form):
    """The same choices again, next to « Appliquer l'import » (other ids: both forms share the page)."""
    token = HiddenField(validators=[DataRequired()])
    publication = _publication_field("apply-")
    notify = BooleanField(NOTIFY_LABEL, default=False, id="apply-notify")
    skip_invalid = HiddenField(default="")  # "1": the rows in error are left out (offered after the dry run)


class MappingForm(Form):
    """The mapping page (issue 15): its column selects are read by ``mapping.screen_from_form``."""
    separateur = StringField(lazy_gettext("Séparateur des listes (entre les valeurs d'une même cellule)"), default="|",
                             validators=[Length(1, 5, lazy_gettext("De 1 à 5 caractères."))])
    format_horaires = RadioField(lazy_gettext("Format des horaires"), default="",
                                 choices=[SelectChoice(k, v) for k, v in mapping.HOURS_FORMATS.items()])
    nom_profil = StringField(lazy_gettext("Nom du profil (a-z, 0-9, « - » et « _ »)"))


@bp.context_processor
def _report_helpers():
    return {"summary_lines": lambda outcome: report.summary_lines(outcome, command_line=False),
            "report_sections": report.report_sections, "problem_where": report.problem_where}


def _coordinators_only():
    if not auth_permissions.is_coordinator(current_user):
        abort(403)


@bp.get("/coordination/import")
@login_required
def upload():
    _coordinators_only()
    return render_template("directory/import/import.html", form=UploadForm(), outcome=None, apply_form=None)


@bp.post("/coordination/import")
@login_required
def check():
    _coordinators_only()
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("directory/import/import.html", form=form, outcome=None, apply_form=None), 400
    staged = staging.stage_upload(form.file.data, actor=current_user, announced_size=request.content_length,
                                  strip_personal_emails=form.strip_personal_emails.data,
                                  publication=form.publication.data,
                                  profile=mapping.chosen_profile(current_user, form.profil.data))
    return _checked(staged, form.publication.data, form.notify.data)


def _checked(staged: staging.StagedUpload, publication: str, notify: bool):
    """The dry run's page: the report, and « Appliquer l'import » or « Faire correspondre les colonnes »."""
    session[SESSION_KEY] = staged.session_record()
    apply_form = ApplyForm(formdata=None, token=staged.token, publication=publication, notify=notify,
                           skip_invalid="" if staged.clean else "1") if staged.clean or staged.skippable else None
    return render_template("directory/import/import.html", form=UploadForm(formdata=None), outcome=staged.outcome,
                           apply_form=apply_form, filename=staged.name, mappable=staged.mappable,
                           rows_in_error=staged.rows_in_error)


@bp.post("/coordination/import/appliquer")
@login_required
def apply():
    _coordinators_only()
    form = ApplyForm()
    token = form.token.data if form.validate_on_submit() else None
    outcome = staging.apply_staged(token, actor=current_user, session_record=session.get(SESSION_KEY),
                                   publication=form.publication.data, notify=form.notify.data,
                                   skip_invalid=form.skip_invalid.data == "1")
    if outcome is None:
        flash(_("Ce fichier n'est plus disponible ou n'a pas été vérifié sans erreur : vérifiez-le à nouveau."), "error")
        return redirect(url_for("opendata_import.upload"))
    session.pop(SESSION_KEY, None)
    return render_template("directory/import/import_result.html", outcome=outcome)


@bp.get("/coordination/import/correspondance")
@login_required
def mapping_page():
    screen = mapping.mapping_screen(current_user, session.get(SESSION_KEY))
    form = MappingForm(formdata=None, separateur=screen.separator, format_horaires=screen.hours_format,
                       nom_profil=screen.profile_name)
    return _mapping_page(form, screen)


@bp.post("/coordination/import/correspondance")
@login_required
def mapping_preview():
    return _mapping_submitted(lambda form, screen: _mapping_page(
        form, screen, preview=mapping.preview(current_user, session.get(SESSION_KEY), screen)))


@bp.post("/coordination/import/correspondance/enregistrer")
@login_required
def mapping_save():
    return _mapping_submitted(lambda form, screen: _checked(
        mapping.save_profile(current_user, session.get(SESSION_KEY), screen, form.nom_profil.data), imports.PENDING,
        False))


def _mapping_submitted(answer):
    """The mapping form sent: the page again with what is wrong (400), else ``answer(form, screen)``."""
    form = MappingForm()
    screen = mapping.screen_from_form(current_user, session.get(SESSION_KEY), request.form)
    if not form.validate_on_submit():
        return _mapping_page(form, screen), 400
    try:
        return answer(form, screen)
    except Invalid as error:
        return _mapping_page(form, screen, error=error.message), 400


def _mapping_page(form, screen, preview=None, error=None):
    return render_template("directory/import/mapping.html", form=form, screen=screen, preview=preview, error=error,
                           field_choices=mapping.field_choices(), preview_fields=mapping.PREVIEW_FIELDS)
