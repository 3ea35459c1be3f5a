"""Place forms: every field of the national standard 1.0.1, and the weekday opening-hours editor.

The form checks each field with the same functions as the services (``validation``), so that the
messages appear next to the fields; the services validate again, as they do for the CLI and imports.
"""
from flask_babel import format_decimal, gettext as _, lazy_gettext
from wtforms import BooleanField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from coordination.core import validators
from coordination.core.csv_writer import FORMULA_MESSAGE
from coordination.directory import hours, validation
from coordination.vocabularies import PLACE_VOCABULARIES, TYPOLOGIES, WEEKDAYS
from coordination.web.forms import BulkForm, choices, Clean, Form, OneLine, SelectChoice


REQUIRED = lazy_gettext("Ce champ est obligatoire.")
SLOTS = (1, 2)


class NoFormula:
    """The form's side of ``validation.formula_in`` (the import only warns: see ``imports``)."""

    def __init__(self, name):
        self.name = name

    def __call__(self, form, field):
        try:
            value = validation.CLEANERS[self.name](field.data)
        except validation.FieldError:
            return  # Clean says what is wrong
        if validation.formula_in(self.name, value):
            raise ValidationError(FORMULA_MESSAGE)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _checkboxes(name: str) -> MultiCheckboxField:
    values, label, _ = PLACE_VOCABULARIES[name]
    pairs = TYPOLOGIES.items() if name == "typology" else ((v, v) for v in values)
    # labels at display time, in the page's language (and typeset in French): the values stay the standard's
    choices = [SelectChoice(value, lazy_gettext(text)) for value, text in pairs]
    label = lazy_gettext(label)
    if name == "services":
        label = lazy_gettext("%(label)s (au moins un)", label=label)
    return MultiCheckboxField(label, choices=choices, validate_choice=False,
                              validators=[Clean(validation.CLEANERS[name])])


def _text(name: str, field_class=StringField, required=False, **kwargs):
    validators = [DataRequired(REQUIRED)] if required else []
    validators.append(Clean(validation.CLEANERS[name]))
    if name in validation.FORMULA_FIELDS:
        validators.append(NoFormula(name))
    return field_class(validation.LABELS[name], validators=validators, **kwargs)


def hours_field_name(day: str, slot: int, edge: str) -> str:
    return f"hours_{day.lower()}_{slot}_{edge}"


def _week_inputs(day: str) -> list[tuple[str, str]]:
    return [(hours_field_name(day, slot, "start"), hours_field_name(day, slot, "end")) for slot in SLOTS]


class WeekEditor:
    """The weekday editor's inputs (one or two slots a day) shared by the place form and the
    exceptional hours of a closure; ``with_week_inputs`` adds the fields to a form class."""

    def raw_week(self) -> dict:
        return {day: [(self[start].data, self[end].data) for start, end in _week_inputs(day)] for day, _ in WEEKDAYS}

    def read_week(self) -> hours.Week | None:
        """The week typed, or None after putting each error beside the input at fault."""
        week, errors = hours.parse_editor(self.raw_week())
        for day, error in errors.items():
            self[hours_field_name(day, error.slot, error.edge)].errors.append(str(error))
        return None if errors else week

    def fill_week(self, expr: str | None) -> str:
        """Shows ``expr`` in the editor, as far as it can; returns the rules it cannot show."""
        week, rest = hours.split(expr)
        for day, ranges in week.items():
            for (start, end), (start_time, end_time) in zip(_week_inputs(day), ranges, strict=False):
                self[start].data, self[end].data = start_time, end_time
        return rest

    def hours_days(self):
        """For the template: (day code, name, [(start field, end field) per slot], the day's messages)."""
        for day, label in WEEKDAYS:
            slots = [(self[start], self[end]) for start, end in _week_inputs(day)]
            yield day, label, slots, [message for pair in slots for field in pair for message in field.errors]


def with_week_inputs(form_class):
    for day, label in WEEKDAYS:
        for slot in SLOTS:
            for edge, slot_label in (
                    ("start", lazy_gettext("%(day)s, créneau %(slot)s : ouverture", day=label, slot=slot)),
                    ("end", lazy_gettext("%(day)s, créneau %(slot)s : fermeture", day=label, slot=slot))):
                setattr(form_class, hours_field_name(day, slot, edge), StringField(slot_label))
    return form_class


@with_week_inputs
class PlaceForm(WeekEditor, Form):
    ERROR_TARGETS = {"opening_hours": "hours_extra"}  # noqa: RUF012 (read only)
    name = _text("name", required=True)
    address = _text("address", required=True)
    address_complement = _text("address_complement")
    postcode = _text("postcode", required=True, render_kw={"inputmode": "numeric", "autocomplete": "postal-code"})
    commune = _text("commune", required=True)
    insee_code = _text("insee_code")
    latitude = _text("latitude", render_kw={"inputmode": "decimal"})
    longitude = _text("longitude", render_kw={"inputmode": "decimal"})

    phone = _text("phone", render_kw={"autocomplete": "tel"})
    emails = _text("emails", TextAreaField, render_kw={"rows": 2})
    website = _text("website")
    appointment_url = _text("appointment_url")
    accessibility_url = _text("accessibility_url")

    summary = _text("summary", TextAreaField, render_kw={"rows": 3, "data-counter": validation.SUMMARY_MAX})
    description = _text("description", TextAreaField, render_kw={"rows": 6})
    parent_structure = _text("parent_structure")
    other_labels = _text("other_labels", TextAreaField, render_kw={"rows": 2})

    services = _checkboxes("services")
    publics = _checkboxes("publics")
    specific_support = _checkboxes("specific_support")
    fees = _checkboxes("fees")
    fee_details = _text("fee_details", TextAreaField,
                        render_kw={"rows": 2, "data-counter": validation.FEE_DETAILS_MAX})
    programmes = _checkboxes("programmes")
    labels = _checkboxes("labels")
    access_modes = _checkboxes("access_modes")
    support_modes = _checkboxes("support_modes")
    itinerance = _checkboxes("itinerance")
    typology = _checkboxes("typology")
    accepts_referrals = BooleanField(validation.LABELS["accepts_referrals"], default=True)
    # The network's own labels: choices given by the view (``services.labels_for_place_form``).
    network_labels = MultiCheckboxField(validation.LABELS["network_labels"], choices=[], validate_choice=False,
                                        validators=[Clean(validation.clean_network_labels)])

    hours_extra = TextAreaField(lazy_gettext("Remarques / horaires particuliers (syntaxe OpenStreetMap)"),
                                render_kw={"rows": 2})

    VOCABULARIES = tuple(PLACE_VOCABULARIES)
    SCALARS = ("name", "address", "address_complement", "postcode", "commune", "insee_code", "latitude",
               "longitude", "phone", "emails", "website", "appointment_url", "accessibility_url", "summary",
               "description", "parent_structure", "other_labels", "fee_details", "accepts_referrals",
               "network_labels")

    def __init__(self, *args, network_labels=(), **kwargs):
        """``network_labels``: the ``services.LabelChoice`` the partner may tick (the active ones, and
        the deactivated ones the place still carries, marked as such)."""
        super().__init__(*args, **kwargs)
        self.network_labels.choices = [
            SelectChoice(str(label.id), label.name if label.active
                         else _("%(name)s (label retiré par le réseau)", name=label.name))
            for label in network_labels]

        # A place imported with a typology code outside the short list keeps it through an edit.
        offered = {code for code, _ in TYPOLOGIES.items()}
        extra = [code for code in self.typology.data or () if code not in offered]
        self.typology.choices = [*self.typology.choices, *(SelectChoice(code, code) for code in extra)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.services.errors and not self.services.data:
            self.services.errors.append(validation.REQUIRED_MESSAGES["services"])
            valid = False
        week = self.read_week()
        if week is None:
            valid = False
        else:
            try:
                hours.validate(hours.join(week, self.hours_extra.data))
            except hours.HoursError as error:
                self.hours_extra.errors.append(str(error))
                valid = False
        return valid

    def place_data(self) -> dict:
        """What the services take: the model's attribute names, raw values (the services clean them)."""
        data = {name: self[name].data for name in self.SCALARS + self.VOCABULARIES}
        week, _ = hours.parse_editor(self.raw_week())
        data["opening_hours"] = hours.join(week, self.hours_extra.data)
        return data

    @classmethod
    def initial_data(cls, place) -> dict:
        """The form's values for an existing place; the hours go to the editor when it can show them."""
        data = {name: getattr(place, name) for name in cls.SCALARS + cls.VOCABULARIES}
        data["emails"] = "\n".join(place.emails or [])
        data["other_labels"] = "\n".join(place.other_labels or [])
        data["network_labels"] = [str(label_id) for label_id in place.network_labels or ()]
        for name in ("latitude", "longitude"):
            data[name] = "" if data[name] is None else repr(data[name])  # shortest exact decimal
        week, rest = hours.split(place.opening_hours)
        for day, ranges in week.items():
            for (start, end), (start_time, end_time) in zip(_week_inputs(day), ranges, strict=False):
                data[start], data[end] = start_time, end_time
        data["hours_extra"] = rest
        data["version"] = place.version
        return data


class EditPlaceForm(PlaceForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(
        lazy_gettext("Le formulaire est incomplet : rechargez la page de modification."))])

    def rebase(self, version: int) -> None:
        """After a conflict: the next save starts from the current version (the person has seen the
        differences), and keeps everything else they typed."""
        self.version.data = version
        self.version.raw_data = [str(version)]


# --- public search (GET /recherche) ----------------------------------------------------------

# URL parameter -> place vocabulary: short French names, stable (shared and bookmarked links).
FACET_PARAMS = {
    "services": "services",
    "publics": "publics",
    "accompagnement": "support_modes",
    "acces": "access_modes",
    "frais": "fees",
    "dispositifs": "programmes",
    "prise_en_charge": "specific_support",
    "labels": "labels",
    "itinerance": "itinerance",
    "typologie": "typology",
}
FACET_LABELS = {
    "services": lazy_gettext("Besoin"),
    "publics": lazy_gettext("Public"),
    "support_modes": lazy_gettext("Accompagnement"),
    "access_modes": lazy_gettext("Comment y accéder"),
    "fees": lazy_gettext("Coût"),
    "programmes": lazy_gettext("Dispositifs"),
    "specific_support": lazy_gettext("Prise en charge spécifique"),
    "labels": lazy_gettext("Formations et labels"),
    "itinerance": lazy_gettext("Lieu fixe ou itinérant"),
    "typology": lazy_gettext("Type de structure"),
}
# The network's own labels: one more facet, its values the labels' codes (``NetworkLabel.code``).
NETWORK_LABELS_PARAM = "labels_reseau"
NETWORK_LABELS_HEADING = lazy_gettext("Labels du réseau")
RADIUS_CHOICES = (2, 5, 10, 20, 50)
RADIUS_MAX_KM = 100
SORTS = {"distance": "distance", "pertinence": "relevance"}  # URL value -> service value
TEXT_MAX = 200
TRUE_VALUES = ("1", "on", "oui", "true", "y")


def _number(value) -> str:
    """A radius as the URL carries it: « 2.5 », whatever the page's language."""
    return f"{value:g}"


def kilometres(value) -> str:
    """ "2,5 km" in French, "2.5 km" in English."""
    return _("%(number)s km", number=format_decimal(value, format="#,##0.#"))


class SearchForm(Form):
    """The search form, read from the query string. Whatever the URL holds, it yields a search
    request and notices (in the page's language) for what it had to ignore; it never fails."""

    class Meta:
        csrf = False

    q = StringField(lazy_gettext("Quel besoin ?"),
                    render_kw={"type": "search", "placeholder": lazy_gettext("ex. : démarches CAF, smartphone")})
    ou = StringField(lazy_gettext("Où ?"), render_kw={"placeholder": lazy_gettext("commune, code postal ou adresse"),
                                        "autocomplete": "address-level2"})
    rayon = StringField(lazy_gettext("Distance maximale"))
    ouvert = StringField(lazy_gettext("Ouvert maintenant"))
    samedi = StringField(lazy_gettext("Ouvert le samedi"))
    tri = StringField(lazy_gettext("Trier par"))
    page = StringField("Page")
    autour = StringField("Autour de moi")  # « lat,lon » set by the browser's geolocation, on click only
    mots = StringField("Mots")  # « exacts »: the literal words only, no needs vocabulary

    def __init__(self, formdata, default_radius_km: float = 10, network_labels=(), **kwargs):
        """``network_labels``: the active labels of the network (``services.active_labels``)."""
        super().__init__(formdata=formdata, **kwargs)
        self.args = formdata
        self.default_radius_km = default_radius_km
        self.notices: list[str] = []
        self.network_labels = list(network_labels)
        self.facets = {key: self._facet(param, key) for param, key in FACET_PARAMS.items()}
        self.facets["network_labels"] = self._network_labels()
        self.facets = {key: values for key, values in self.facets.items() if values}
        self.radius_km = self._radius()
        self.page_number = self._page()
        self.sort = self.tri.data if self.tri.data in SORTS else "distance"
        self.open_now = (self.ouvert.data or "").strip().lower() in TRUE_VALUES
        self.open_saturday = (self.samedi.data or "").strip().lower() in TRUE_VALUES
        self.near = self._near()
        self.literal = (self.mots.data or "").strip().lower() == "exacts"

    @staticmethod
    def _clean_text(value) -> str:
        text = " ".join("".join(c if c.isprintable() else " " for c in (value or "")).split())
        return text[:TEXT_MAX]

    def _facet(self, param: str, key: str) -> list[str]:
        allowed = PLACE_VOCABULARIES[key][0]
        values = []
        for value in self.args.getlist(param) if hasattr(self.args, "getlist") else []:
            if value in allowed:
                if value not in values:
                    values.append(value)
            elif value.strip():
                self.notices.append(_("Le filtre « %(name)s » n'existe pas : il a été ignoré.",
                                       name=self._clean_text(value)[:80]))
        return values

    def _network_labels(self) -> list[int]:
        """The ids of the labels named by their codes in the URL (unknown or deactivated: a notice)."""
        by_code = {label.code: label.id for label in self.network_labels}
        ids = []
        for code in self.args.getlist(NETWORK_LABELS_PARAM) if hasattr(self.args, "getlist") else []:
            if code in by_code:
                if by_code[code] not in ids:
                    ids.append(by_code[code])
            elif code.strip():
                self.notices.append(_("Le filtre « %(name)s » n'existe pas : il a été ignoré.",
                                      name=self._clean_text(code)[:80]))
        return ids

    def _radius(self) -> float | None:
        raw = (self.rayon.data or "").strip().lower().removesuffix("km").strip().replace(",", ".")
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not 0 < value <= RADIUS_MAX_KM:  # also false for nan
            self.notices.append(_("La distance demandée n'est pas valable (au plus %(max)s) : recherche dans "
                                  "un rayon de %(radius)s.", max=kilometres(RADIUS_MAX_KM),
                                  radius=kilometres(self.default_radius_km)))
            return None
        return value

    def _near(self) -> tuple[float, float] | None:
        """The browser's position, rounded to about 100 m: the URL never carries more than that."""
        raw = (self.autour.data or "").strip()
        if not raw:
            return None
        try:
            latitude, longitude = (round(float(part), 3) for part in raw.split(","))
        except ValueError:
            latitude = longitude = float("nan")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # also false for nan
            self.notices.append(_("La position transmise par le navigateur n'est pas valable : elle a été ignorée."))
            return None
        return latitude, longitude

    @property
    def near_value(self) -> str:
        return f"{self.near[0]:.3f},{self.near[1]:.3f}" if self.near else ""

    def _page(self) -> int:
        raw = (self.page.data or "").strip()
        if not raw:
            return 1
        if raw.isascii() and raw.isdecimal() and 1 <= int(raw) <= 10_000:
            return int(raw)
        self.notices.append(_("Le numéro de page demandé n'est pas valable : voici la première page."))
        return 1

    @property
    def text(self) -> str:
        return self._clean_text(self.q.data)

    @property
    def where(self) -> str:
        return self._clean_text(self.ou.data)

    def request_data(self) -> dict:
        """The keyword arguments of ``services.SearchRequest``."""
        return {"text": self.text, "where": self.where, "radius_km": self.radius_km, "facets": self.facets,
                "open_now": self.open_now, "open_saturday": self.open_saturday, "sort": SORTS[self.sort],
                "page": self.page_number, "near": None if self.where else self.near, "literal": self.literal}

    def radius_options(self) -> list[tuple[str, str, bool]]:
        """(value, label, selected) for the distance select; a radius from a shared link is kept."""
        current = self.radius_km or self.default_radius_km
        values = sorted({*RADIUS_CHOICES, current})
        return [(_number(v), kilometres(v), v == current) for v in values]

    def is_checked(self, param: str, value: str) -> bool:
        return value in self.facets.get(FACET_PARAMS[param], ())

    @property
    def has_filters(self) -> bool:
        return bool(self.facets or self.open_now or self.open_saturday)


# --- Closures: temporary closures and exceptional hours (partner space) -----------------------

@with_week_inputs
class ClosureForm(WeekEditor, Form):
    """A period when the regular hours do not apply. Exceptional hours are typed in the same weekday
    editor as the place form's (one or two slots per weekday of the period; a day left empty is
    closed); each editor error goes next to the input at fault. The service checks the dates, the
    hours (as OSM, what is stored) and that the place opens on at least one day of the period."""
    ERROR_TARGETS = {"opening_hours": "hours"}  # noqa: RUF012 (read only)
    starts_on = StringField(lazy_gettext("Du"), render_kw={"type": "date"})  # the service reads and checks the dates
    ends_on = StringField(lazy_gettext("Au (inclus)"), render_kw={"type": "date"})
    kind = RadioField(lazy_gettext("Pendant cette période, le lieu est"), default="closed",
                      choices=[SelectChoice("closed", lazy_gettext("fermé")),
                               SelectChoice("hours", lazy_gettext("ouvert avec des horaires exceptionnels"))])
    hours = StringField(lazy_gettext("Horaires exceptionnels"))  # not an input: the editor's messages as a whole
    message = TextAreaField(lazy_gettext("Message pour le public (facultatif)"), render_kw={"rows": 2, "maxlength": 280})

    @property
    def open_during_period(self) -> bool:
        return self.kind.data == "hours"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.open_during_period and self.read_week() is None:
            valid = False
        return valid

    def prefill_week(self, expr: str | None) -> None:
        """A blank form starts from the place's regular hours (what the editor can show of them): the
        partner changes what differs during the period."""
        self.fill_week(expr)

    def closure_data(self) -> dict:
        week = hours.parse_editor(self.raw_week())[0] if self.open_during_period else None
        return {"starts_on": self.starts_on.data, "ends_on": self.ends_on.data, "closed": not self.open_during_period,
                "opening_hours": hours.to_osm(week) if week else None, "message": self.message.data}




# --- The network's own labels (coordination space) ----------------------------------------------

class NetworkLabelForm(Form):
    """A label of the network; the service checks the name again (unique, one line)."""
    name = StringField(lazy_gettext("Nom du label"), validators=[DataRequired(REQUIRED), OneLine()],
                       render_kw={"maxlength": 120})
    description = TextAreaField(lazy_gettext("Description (affichée sur la fiche des lieux)"),
                                validators=[Clean(validators.text, max_length=1000)], render_kw={"rows": 4})

    def label_data(self) -> dict:
        return {"name": self.name.data, "description": self.description.data}


# The coordination places list's action bar (issue 18): what may be done to the places ticked.
PLACE_ACTIONS = {"publier": lazy_gettext("Publier dans l'annuaire"), "retirer": lazy_gettext("Retirer de l'annuaire")}


class PlacesActionForm(BulkForm):
    action = RadioField(lazy_gettext("Action"), choices=choices(PLACE_ACTIONS), validate_choice=False)
