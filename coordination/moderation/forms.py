"""The moderation forms: a resident's error report, a coordinator's decision on one queue item, the
bulk decision on an import's organisations. The services validate; the forms carry the fields."""
from flask_babel import lazy_gettext
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from coordination.moderation import services as moderation
from coordination.web import forms as web_forms
from coordination.web.forms import Form, choices


# The resident's words for moderation.REPORT_KINDS, in the page's language (the coordinators' queue
# and the mails keep the French ones).
REPORT_CHOICES = {
    "closed": lazy_gettext("Le lieu est fermé définitivement"),
    "hours": lazy_gettext("Les horaires sont faux"),
    "address": lazy_gettext("L'adresse est fausse"),
    "other": lazy_gettext("Autre chose"),
}


class ReportForm(Form):
    """The service validates; the form only carries the fields (and the CSRF token)."""
    kind = RadioField(lazy_gettext("Qu'est-ce qui ne va pas ?"), choices=choices(REPORT_CHOICES),
                      validate_choice=False)
    message = TextAreaField(lazy_gettext("Précisez ce qui ne va pas"),
                            render_kw={"maxlength": moderation.MESSAGE_MAX, "rows": 5})
    nickname = StringField(lazy_gettext("Ne remplissez pas ce champ"),
                           render_kw={"autocomplete": "off", "tabindex": "-1"})


class DecisionForm(Form):
    """A coordinator's decision on one queue item; several sit on one page, told apart by their prefix."""
    reason = TextAreaField(lazy_gettext("Motif"), render_kw={"rows": 2, "maxlength": moderation.REASON_MAX})
    unpublish = BooleanField(lazy_gettext("Retirer aussi le lieu de l'annuaire public"))


# The label of the reason field, by action (accepting an organisation needs no reason).
ACTIONS = {
    "accepter": "Note",
    "traiter": lazy_gettext("Ce qui a été fait"),
    "ecarter": lazy_gettext("Pourquoi l'écarter"),
    "refuser": lazy_gettext("Motif du refus"),
    "retirer": lazy_gettext("Motif du retrait"),
}


def decision_form(action: str, item_id: int, *, bind: bool = False) -> DecisionForm:
    form = DecisionForm(prefix=f"{action}-{item_id}", **({} if bind else {"formdata": None}))
    form.reason.label.text = ACTIONS[action]
    return form


BULK_ACTIONS = {"accept": lazy_gettext("Accepter toutes ces organisations"), "refuse": lazy_gettext("Refuser toutes ces organisations")}


class BulkForm(web_forms.BulkForm):
    """The shared bulk form, on every pending organisation of one import (no ``ids``). Step 1: the action
    (and the reason of a refusal); step 2 repeats them, hidden, with the count the coordinator saw (the
    service refuses to act if it changed)."""
    action = RadioField(lazy_gettext("Décision"), choices=choices(BULK_ACTIONS),
                        validate_choice=False)
    reason = TextAreaField(lazy_gettext("Motif du refus (envoyé seulement aux comptes de l'organisation, jamais aux adresses "
                           "du fichier)"), render_kw={"rows": 2, "maxlength": moderation.REASON_MAX})
    expected = IntegerField(widget=HiddenInput(), validators=[Optional()])
    confirmed = HiddenField()
