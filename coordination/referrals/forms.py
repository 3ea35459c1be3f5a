"""Referral forms (the services validate; the forms carry the fields and the CSRF token)."""
import secrets

from flask_babel import lazy_gettext
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField

from coordination.directory import services as directory_services
from coordination.referrals import workflow
from coordination.referrals.services import CHANNELS, CONSENT_METHODS, LANGUAGES
from coordination.vocabularies import SERVICES
from coordination.web.actor import current_actor
from coordination.web.forms import Form, PlacePickerField, choices


def _choices(pairs, empty: str | None = None) -> list:
    return choices([("", empty)] if empty is not None else []) + choices(pairs)


class ReferralForm(Form):
    # A new random key each time the blank form is shown: posting it twice finds the first referral.
    submission_key = HiddenField()
    sender_organisation_id = SelectField(lazy_gettext("Vous orientez au nom de"), validate_choice=False)
    service = SelectField(lazy_gettext("Service demandé"), validate_choice=False)
    first_name = StringField(lazy_gettext("Prénom"), render_kw={"autocomplete": "off", "maxlength": 80})
    last_name = StringField(lazy_gettext("Nom (facultatif)"), render_kw={"autocomplete": "off", "maxlength": 80})
    phone = StringField(lazy_gettext("Téléphone"), render_kw={"type": "tel", "autocomplete": "off", "inputmode": "tel"})
    email = StringField(lazy_gettext("Adresse électronique"), render_kw={"type": "email", "autocomplete": "off"})
    contact_channel = SelectField(lazy_gettext("Moyen de contact préféré"), default="phone", validate_choice=False,
                                  choices=_choices(CHANNELS.items()))
    language = SelectField(lazy_gettext("Langue préférée"), default="fr", validate_choice=False,
                           choices=_choices(LANGUAGES.items()))
    need = TextAreaField(lazy_gettext("Le besoin, en quelques mots"), render_kw={"rows": 4})
    urgent = BooleanField(lazy_gettext("Demande urgente (à traiter dans les prochains jours)"))
    consent = BooleanField(lazy_gettext("La personne a donné son accord pour ce partage, après avoir pris connaissance "
                           "du texte ci-dessus"))
    consent_method = RadioField(lazy_gettext("Comment l'accord a-t-il été recueilli ?"), validate_choice=False,
                                choices=_choices(CONSENT_METHODS.items()))

    PERSONAL_FIELDS = ("first_name", "last_name", "phone", "email", "contact_channel", "language", "need")

    @classmethod
    def for_target(cls, target, limit: int) -> "ReferralForm":
        form = cls()
        form.sender_organisation_id.choices = _choices((str(o.id), o.name) for o in target.organisations)
        services = target.place.services or SERVICES
        form.service.choices = _choices(((s, s) for s in services), empty=lazy_gettext("Choisissez un service"))
        form.need.render_kw = {**form.need.render_kw, "maxlength": limit, "data-counter": limit}
        if not form.is_submitted() or not form.submission_key.data:
            form.submission_key.data = secrets.token_urlsafe(24)
        return form

    def referral_data(self) -> dict:
        names = ("submission_key", "sender_organisation_id", "service", "urgent", "consent", "consent_method",
                 *self.PERSONAL_FIELDS)
        return {name: self[name].data for name in names}


class AcceptForm(Form):
    comment = TextAreaField(lazy_gettext("Commentaire pour l'organisation qui oriente (facultatif)"), render_kw={"rows": 2})


class DeclineForm(Form):
    reason = SelectField(lazy_gettext("Motif du refus"), validate_choice=False,
                         choices=_choices(workflow.DECLINE_REASONS.items(), empty=lazy_gettext("Choisissez un motif")))
    comment = TextAreaField(lazy_gettext("Commentaire (obligatoire pour « autre raison »)"), render_kw={"rows": 2})


class CancelForm(Form):
    comment = TextAreaField(lazy_gettext("Pourquoi annulez-vous ? (facultatif)"), render_kw={"rows": 2})


class OutcomeForm(Form):
    outcome = SelectField(lazy_gettext("Issue de l'orientation"), validate_choice=False)
    # Any public place, as record_outcome has always accepted (a person may be redirected to a place
    # that takes no referral through the platform); a pasted page address still finds its place.
    redirected_place = PlacePickerField(
        lazy_gettext("Si la personne a été réorientée : le nouveau lieu"), source="directory.pick_place",
        find=lambda text: directory_services.find_places_to_pick(text, actor=current_actor()),
        get=lambda public_id: directory_services.place_to_pick(public_id, actor=current_actor()))
    comment = TextAreaField(lazy_gettext("Commentaire (facultatif)"), render_kw={"rows": 2})

    def with_outcomes(self, outcomes) -> "OutcomeForm":
        self.outcome.choices = _choices(((o, workflow.STATUS_LABELS[o]) for o in outcomes),
                                        empty=lazy_gettext("Choisissez une issue"))
        return self

    def place_public_id(self) -> str | None:
        """The new place's public id when the outcome is a redirection (``Invalid`` when the text
        names no place, or several); the field is not read for another outcome."""
        return self.redirected_place.chosen() if self.outcome.data == workflow.REDIRECTED else None


class CommentForm(Form):
    comment = TextAreaField(lazy_gettext("Votre commentaire"), render_kw={"rows": 3})


class WithdrawForm(Form):
    """The confirmation step: the page explains what is erased; the button confirms."""


class FilterForm(Form):
    class Meta:
        csrf = False

    statut = SelectField(lazy_gettext("Statut"), validate_choice=False,
                         choices=_choices(workflow.STATUS_LABELS.items(), empty=lazy_gettext("Tous les statuts")))
    service = SelectField(lazy_gettext("Service"), validate_choice=False,
                          choices=_choices(((s, s) for s in SERVICES), empty=lazy_gettext("Tous les services")))
    organisation = SelectField(lazy_gettext("Organisation"), validate_choice=False)

    def with_organisations(self, organisations) -> "FilterForm":
        self.organisation.choices = _choices(((str(o.id), o.name) for o in organisations),
                                             empty=lazy_gettext("Toutes les organisations"))
        return self

    def filters(self) -> dict:
        status = self.statut.data if self.statut.data in workflow.STATUS_LABELS else None
        service = self.service.data if self.service.data in SERVICES else None
        organisation = int(self.organisation.data) if (self.organisation.data or "").isdigit() else None
        return {"status": status, "service": service, "organisation_id": organisation}
