"""Meeting forms: they carry the fields and the CSRF token; the services validate."""
from flask_babel import lazy_gettext
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Optional

from coordination.directory import services as directory_services
from coordination.events import recurrence
from coordination.web.actor import current_actor
from coordination.web.forms import Form, PlacePickerField, SelectChoice


PRESET_CHOICES = [SelectChoice(key, label) for key, (label, _) in recurrence.PRESETS.items()] + [
    SelectChoice("custom", lazy_gettext("Règle personnalisée (iCalendar RRULE)"))]


def _iso(value) -> str:
    """Dates and times go to the services as text, as from the command line."""
    return value.isoformat() if value else ""


def _hhmm(value) -> str:
    return value.strftime("%H:%M") if value else ""


def _place_picker(**kwargs) -> PlacePickerField:
    return PlacePickerField(
        lazy_gettext("Lieu du réseau (facultatif)"), source="directory.pick_place",
        find=lambda text: directory_services.find_places_to_pick(text, actor=current_actor()),
        get=lambda public_id: directory_services.place_to_pick(public_id, actor=current_actor()), **kwargs)


class _Location:
    place_public_id = _place_picker()
    address = StringField(lazy_gettext("Adresse (facultatif)"), validators=[Optional()], render_kw={"maxlength": 300})
    video_url = StringField(lazy_gettext("Lien de visioconférence (facultatif)"), validators=[Optional()],
                            render_kw={"type": "url", "maxlength": 500})
    agenda = TextAreaField(lazy_gettext("Ordre du jour (Markdown)"), validators=[Optional()], render_kw={"rows": 6})
    capacity = IntegerField(lazy_gettext("Nombre de places (vide : sans limite)"), validators=[Optional()],
                            render_kw={"min": 1, "inputmode": "numeric"})
    invitation_days = IntegerField(lazy_gettext("Invitations envoyées combien de jours avant"), default=30,
                                   validators=[Optional()], render_kw={"min": 1, "inputmode": "numeric"})

    def location_data(self) -> dict:
        """Raises ``Invalid`` when the place picker's text names no place, or several."""
        return {"place_public_id": self.place_public_id.chosen(), **{name: getattr(self, name).data for name in (
            "address", "video_url", "agenda", "capacity", "invitation_days")}}


class SeriesForm(_Location, Form):
    title = StringField(lazy_gettext("Titre"), render_kw={"maxlength": 200})
    preset = RadioField(lazy_gettext("Rythme"), choices=PRESET_CHOICES, default="quarterly", validate_choice=False)
    rrule = StringField(lazy_gettext("Règle personnalisée"), validators=[Optional()],
                        render_kw={"maxlength": recurrence.MAX_RULE_LENGTH, "autocomplete": "off",
                                   "spellcheck": "false"})
    first_date = DateField(lazy_gettext("Première réunion le"), validators=[Optional()])
    start_time = TimeField(lazy_gettext("Heure de début"), default=None, validators=[Optional()])
    duration_minutes = IntegerField(lazy_gettext("Durée (minutes)"), default=150, validators=[Optional()],
                                    render_kw={"min": 15, "inputmode": "numeric"})

    def series_data(self) -> dict:
        return {"title": self.title.data, "preset": self.preset.data, "rrule": self.rrule.data,
                "first_date": _iso(self.first_date.data), "start_time": _hhmm(self.start_time.data),
                "duration_minutes": self.duration_minutes.data, **self.location_data()}


class MeetingForm(_Location, Form):
    place_public_id = _place_picker(id="meeting_place_public_id")  # the series form is on the same page
    title = StringField(lazy_gettext("Titre"), render_kw={"maxlength": 200})
    date = DateField(lazy_gettext("Date"), validators=[Optional()])
    start_time = TimeField(lazy_gettext("Heure de début"), validators=[Optional()])
    duration_minutes = IntegerField(lazy_gettext("Durée (minutes)"), default=150, validators=[Optional()],
                                    render_kw={"min": 15, "inputmode": "numeric"})

    def meeting_data(self) -> dict:
        return {"title": self.title.data, "date": _iso(self.date.data), "start_time": _hhmm(self.start_time.data),
                "duration_minutes": self.duration_minutes.data, **self.location_data()}


class MoveForm(Form):
    date = DateField(lazy_gettext("Nouvelle date"), validators=[Optional()])
    start_time = TimeField(lazy_gettext("Heure de début"), validators=[Optional()])
    duration_minutes = IntegerField(lazy_gettext("Durée (minutes)"), validators=[Optional()], render_kw={"min": 15})
    address = StringField(lazy_gettext("Adresse"), validators=[Optional()], render_kw={"maxlength": 300})
    video_url = StringField(lazy_gettext("Lien de visioconférence"), validators=[Optional()], render_kw={"type": "url"})
    capacity = IntegerField(lazy_gettext("Nombre de places (vide : sans limite)"), validators=[Optional()], render_kw={"min": 1})

    def change_data(self) -> dict:
        data = {name: getattr(self, name).data for name in ("duration_minutes", "address", "video_url", "capacity")}
        return {"date": _iso(self.date.data), "start_time": _hhmm(self.start_time.data), **data}


class CancelForm(Form):
    reason = TextAreaField(lazy_gettext("Motif (envoyé aux personnes invitées, facultatif)"), validators=[Optional()],
                           render_kw={"rows": 2, "maxlength": 500})


class AnswerForm(Form):
    """One answer button (the partner space) or the confirmation of a signed link."""
    answer = HiddenField()


class MinutesForm(Form):
    minutes = TextAreaField(lazy_gettext("Compte rendu (Markdown)"), render_kw={"rows": 14})
    publish = BooleanField(lazy_gettext("Publier : l'afficher aux membres et le leur envoyer par courriel"))


class SimpleForm(Form):
    """A button that only needs the CSRF token (attendance, feeds, delegates read request.form)."""


class DelegatesForm(Form):
    organisation_id = SelectField(lazy_gettext("Organisation"), validate_choice=False)
