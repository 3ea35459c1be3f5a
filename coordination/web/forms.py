"""The form base of every domain, and the service-error contract on the form's side.

A service raises ``Invalid(errors={field: [messages]})``; ``Form.show`` puts each field's messages
next to that field, and the others (no field of that name, or only the general message) in
``general_errors``, which ``_form_macros.html``'s ``general_errors`` macro shows. Also here: the
field validators built on ``coordination.core.validators`` (``Clean``, ``OneLine``) and the choices
of select and radio fields in the shape the installed WTForms wants.
"""
from typing import ClassVar

from flask import flash
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, TextAreaField
from wtforms.meta import DefaultMeta
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from coordination.core import validators
from coordination.errors import Invalid

try:  # WTForms >= 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3
    def SelectChoice(value, label):
        return (value, label)


def choices(pairs) -> list:
    """The choices of a select or radio field from (value, label) pairs or a {value: label} dict."""
    return [SelectChoice(value, label) for value, label in (pairs.items() if isinstance(pairs, dict) else pairs)]


class Form(FlaskForm):
    """WTForms' own messages (« choix non valide »…) in French; a service's errors shown by ``show``."""

    # A service field whose messages go next to another form field (the place form's hours).
    ERROR_TARGETS: ClassVar[dict[str, str]] = {}

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

    @property
    def general_errors(self) -> list[str]:
        return self.__dict__.setdefault("_general_errors", [])

    def show(self, error: Invalid) -> list[str]:
        """Each field's messages next to it; returns the messages left for the top of the page
        (``general_errors``): those of no field of this form, or the general message when no
        field has any."""
        for name, messages in error.errors.items():
            target = self._fields.get(self.ERROR_TARGETS.get(name, name))
            if target is not None and name != "csrf_token":
                target.errors = [*target.errors, *messages]
            else:
                self.general_errors.extend(messages)
        if not error.errors:
            self.general_errors.append(error.message)
        return self.general_errors

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.general_errors)


class Clean:
    """A field validator from a ``coordination.core.validators`` function (or one built on them):
    its French message goes next to the field. ``Optional()``/``DataRequired()`` say whether empty is allowed."""

    def __init__(self, clean, **options):
        self.clean, self.options = clean, options

    def __call__(self, form, field):
        try:
            self.clean(field.data, **self.options)
        except validators.FieldError as error:
            raise ValidationError(translated(error)) from None


class OneLine:
    """A one-line field (``validators.one_line``): a line break or a control character inside the
    value is refused; the surrounding ones are only trimmed (a pasted name often ends with one)."""

    def __call__(self, form, field):
        if isinstance(field.data, str):
            try:
                validators.one_line(field.data)
            except validators.FieldError as error:
                raise ValidationError(translated(error)) from None


def translated(error: validators.FieldError) -> str:
    """A core validator's message in the reader's language (core keeps its messages French and pure)."""
    return gettext(error.message, **error.values)


class BulkForm(Form):
    """One action applied to many rows at once, with the reason the action's service asks for: the
    moderation's decision on an import's organisations, the coordination lists' action bar (issue 18).
    A subclass gives ``action`` its choices and ``reason`` its label; ``ids`` are the rows ticked
    (``<input type="checkbox" name="ids">``), ``next`` the list's address to come back to (its page,
    search and sort)."""
    action = RadioField(lazy_gettext("Action"), validate_choice=False)
    reason = TextAreaField(lazy_gettext("Motif"), render_kw={"rows": 2, "maxlength": 1000})
    ids = SelectMultipleField(coerce=int, validate_choice=False)
    next = HiddenField()

    def chosen(self) -> list[int]:
        return list(self.ids.data or [])


def show_errors(form: Form, error: Invalid) -> None:
    """``form.show(error)`` for a page that has no place for ``general_errors``: those are flashed."""
    for message in form.show(error):
        flash(message, "error")


class PlacePickerField(Field):
    """A place chosen by searching it by name or commune (``_place_picker.html`` shows it, and
    ``static/js/place-picker.js`` makes it a combobox).

    The browser posts three values: ``<name>_texte`` (what the person typed, or the label of the place
    the script chose), ``<name>`` (the public id the script chose, in a hidden input) and, without
    the script, ``<name>_choix`` (a radio among the places a first search found). ``chosen()`` reads
    them: the hidden id while the text is still its label, else a search of the text (one match is
    taken; several are offered as radios with an error; none is an error). The domain gives
    ``find(text)`` and ``get(public_id)`` (choices with ``id`` and ``label``, or None) and the endpoint
    of its JSON list; the services still check the chosen id as they always did."""

    def __init__(self, label=None, validators=None, *, find, get, source: str, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.find, self.get, self.source = find, get, source
        self.text, self.candidates, self._posted = "", [], None

    def _value(self):
        return self.data or ""

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            self._posted = {key: (formdata.get(f"{self.name}{key}") or "").strip()
                            for key in ("", "_texte", "_choix")}
            self.text = self._posted["_texte"][:200]

    def show_place(self, public_id: str | None) -> None:
        """A form shown again, or for an existing record: that place chosen, its label as the text."""
        choice = self.get(public_id) if public_id else None
        self.data, self.text = (choice.id, choice.label) if choice else (None, "")

    def chosen(self) -> str | None:
        """The public id of the place chosen, None when the field is empty; ``Invalid`` (on this
        field) when the text names no place, or several."""
        if self._posted is None:
            return self.data
        posted, self._posted = self._posted, None
        self.data = None
        for public_id in (posted["_choix"], posted[""]):
            choice = self.get(public_id) if public_id else None
            if choice is not None and (public_id == posted["_choix"] or choice.label == self.text):
                self.data, self.text = choice.id, choice.label
                return self.data
        if not self.text:
            return None
        found = self.find(self.text)
        if len(found) == 1:
            self.data, self.text = found[0].id, found[0].label
            return self.data
        self.candidates = found
        message = (gettext("Plusieurs lieux correspondent à « %(text)s » : choisissez le bon dans la liste.",
                           text=self.text) if found else
                   gettext("Aucun lieu publié de l'annuaire ne correspond à « %(text)s » : vérifiez le nom ou la "
                           "commune.", text=self.text))
        raise Invalid(message, errors={self.short_name: [message]})
