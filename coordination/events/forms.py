"""Meeting forms: they carry the fields and the CSRF token; the services validate."""
from flask_babel import lazy_gettext
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from coordination.core.clock import MONTHS
from coordination.directory import services as directory_services
from coordination.events import recurrence
from coordination.web.actor import current_actor
from coordination.web.forms import Form, PlacePickerField, SelectChoice


KIND_CHOICES = [SelectChoice(key, label) for key, label in recurrence.KINDS.items()]
WEEKDAY_CHOICES = [SelectChoice(key, label) for key, label in recurrence.WEEKDAYS.items()]
NTH_CHOICES = [SelectChoice(str(key), label) for key, label in recurrence.ORDINALS.items()]
MONTH_CHOICES = [SelectChoice(str(number), name) for number, name in enumerate(MONTHS, start=1)]
INVITE_CHOICES = [SelectChoice("all", lazy_gettext("Toutes les organisations actives")),
                  SelectChoice("chosen", lazy_gettext("Seulement les organisations cochées"))]


class CheckboxesField(SelectMultipleField):
    """Checkboxes (months, organisations): a list of values."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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


class _Invited:
    """Which organisations are invited (the choices of ``organisation_ids`` are set by the view)."""
    invite = RadioField(lazy_gettext("Organisations invitées"), choices=INVITE_CHOICES, default="all",
                        validate_choice=False)
    organisation_ids = CheckboxesField(lazy_gettext("Organisations à inviter"), choices=[], coerce=str,
                                       validate_choice=False)

    def invited_data(self) -> dict:
        return {"invite": self.invite.data, "organisation_ids": self.organisation_ids.data or []}


class _Location:
    place_public_id = _place_picker()
    address = StringField(lazy_gettext("Adresse (facultatif)"), validators=[Optional()], render_kw={"maxlength": 300})
    video_url = StringField(lazy_gettext("Lien de visioconférence (facultatif)"), validators=[Optional()],
                            render_kw={"type": "url", "maxlength": 500})
    agenda = TextAreaField(lazy_gettext("Ordre du jour"), validators=[Optional()],
                           render_kw={"rows": 6, "data-markdown-editor": ""})
    capacity = IntegerField(lazy_gettext("Nombre de places (vide : sans limite)"), validators=[Optional()],
                            render_kw={"min": 1, "inputmode": "numeric"})
    invitation_days = IntegerField(lazy_gettext("Invitations envoyées combien de jours avant"), default=30,
                                   validators=[Optional()], render_kw={"min": 1, "inputmode": "numeric"})

    def location_data(self) -> dict:
        """Raises ``Invalid`` when the place picker's text names no place, or several."""
        return {"place_public_id": self.place_public_id.chosen(), **{name: getattr(self, name).data for name in (
            "address", "video_url", "agenda", "capacity", "invitation_days")}}


class SeriesForm(_Invited, _Location, Form):
    title = StringField(lazy_gettext("Titre"), render_kw={"maxlength": 200})
    kind = RadioField(lazy_gettext("Rythme"), choices=KIND_CHOICES, default="months", validate_choice=False)
    nth = SelectField(lazy_gettext("Rang dans le mois (1er, 2e… dernier)"), choices=NTH_CHOICES, default="2", validate_choice=False)
    weekday = SelectField(lazy_gettext("Jour de la semaine"), choices=WEEKDAY_CHOICES, default="TU",
                          validate_choice=False)
    months = CheckboxesField(lazy_gettext("Mois"), choices=MONTH_CHOICES, default=["3", "6", "9", "12"],
                             validate_choice=False)
    month_day = IntegerField(lazy_gettext("Jour du mois"), default=1, validators=[Optional()],
                             render_kw={"min": 1, "max": 31, "inputmode": "numeric"})
    interval = IntegerField(lazy_gettext("Toutes les combien (semaines ou mois)"), default=1, validators=[Optional()],
                            render_kw={"min": 1, "max": recurrence.INTERVAL_MAX, "inputmode": "numeric"})
    dates = TextAreaField(lazy_gettext("Dates choisies"), validators=[Optional()], render_kw={"rows": 4})
    rrule = StringField(lazy_gettext("Règle iCalendar (RRULE)"), validators=[Optional()],
                        render_kw={"maxlength": recurrence.MAX_RULE_LENGTH, "autocomplete": "off",
                                   "spellcheck": "false"})
    first_date = DateField(lazy_gettext("Première réunion le"), validators=[Optional()])
    start_time = TimeField(lazy_gettext("Heure de début"), default=None, validators=[Optional()])
    duration_minutes = IntegerField(lazy_gettext("Durée (minutes)"), default=150, validators=[Optional()],
                                    render_kw={"min": 15, "inputmode": "numeric"})

    def rule_data(self) -> dict:
        return {"kind": self.kind.data, "nth": self.nth.data, "weekday": self.weekday.data,
                "months": self.months.data or [], "month_day": self.month_day.data, "interval": self.interval.data,
                "dates": self.dates.data, "rrule": self.rrule.data, "first_date": _iso(self.first_date.data),
                "start_time": _hhmm(self.start_time.data)}

    def series_data(self) -> dict:
        return {"title": self.title.data, "duration_minutes": self.duration_minutes.data, **self.rule_data(),
                **self.location_data(), **self.invited_data()}


class MeetingForm(_Invited, _Location, Form):
    """Shown under the series form on the same page: its ids start with « reunion- » (the names
    sent stay the same), so that each label names its own field."""
    ID_PREFIX = "reunion-"
    place_public_id = _place_picker()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, bound in self._fields.items():
            if name != "csrf_token":
                bound.id = self.ID_PREFIX + bound.id
                bound.label.field_id = bound.id

    title = StringField(lazy_gettext("Titre"), render_kw={"maxlength": 200})
    date = DateField(lazy_gettext("Date"), validators=[Optional()])
    start_time = TimeField(lazy_gettext("Heure de début"), validators=[Optional()])
    duration_minutes = IntegerField(lazy_gettext("Durée (minutes)"), default=150, validators=[Optional()],
                                    render_kw={"min": 15, "inputmode": "numeric"})

    def meeting_data(self) -> dict:
        return {"title": self.title.data, "date": _iso(self.date.data), "start_time": _hhmm(self.start_time.data),
                "duration_minutes": self.duration_minutes.data, **self.location_data(), **self.invited_data()}


class MoveForm(_Invited, Form):
    date = DateField(lazy_gettext("Nouvelle date"), validators=[Optional()])
    start_time = TimeField(lazy_gettext("Heure de début"), validators=[Optional()])
    duration_minutes = IntegerField(lazy_gettext("Durée (minutes)"), validators=[Optional()], render_kw={"min": 15})
    address = StringField(lazy_gettext("Adresse"), validators=[Optional()], render_kw={"maxlength": 300})
    video_url = StringField(lazy_gettext("Lien de visioconférence"), validators=[Optional()], render_kw={"type": "url"})
    capacity = IntegerField(lazy_gettext("Nombre de places (vide : sans limite)"), validators=[Optional()], render_kw={"min": 1})

    def change_data(self) -> dict:
        data = {name: getattr(self, name).data for name in ("duration_minutes", "address", "video_url", "capacity")}
        return {"date": _iso(self.date.data), "start_time": _hhmm(self.start_time.data), **data, **self.invited_data()}


class CancelForm(Form):
    reason = TextAreaField(lazy_gettext("Motif (envoyé aux personnes invitées, facultatif)"), validators=[Optional()],
                           render_kw={"rows": 2, "maxlength": 500})


class MinutesForm(Form):
    minutes = TextAreaField(lazy_gettext("Compte rendu"), render_kw={"rows": 14, "data-markdown-editor": ""})
    publish = BooleanField(lazy_gettext("Publier : l'afficher aux membres et le leur envoyer par courriel"))


class SimpleForm(Form):
    """A button that only needs the CSRF token (attendance, feeds, delegates read request.form)."""
