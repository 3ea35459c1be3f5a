"""Account forms. Every message is French and shown next to its field; the services validate again."""
from flask_babel import lazy_gettext
from wtforms import (
    BooleanField,
    RadioField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
)

from coordination.auth import services
from coordination.core import validators
from coordination.vocabularies import ORGANISATION_KINDS, ROLES
from coordination.web.forms import BulkForm, Clean, Form, OneLine, choices

REQUIRED = lazy_gettext("Ce champ est obligatoire.")
INVALID_EMAIL = lazy_gettext("Adresse électronique invalide.")
PASSWORD_LENGTH = lazy_gettext("Le mot de passe doit contenir au moins %(num)s caractères.", num=services.PASSWORD_MIN_LENGTH)
PASSWORDS_DIFFER = lazy_gettext("Les deux mots de passe ne correspondent pas.")
NEW_PASSWORD = {"autocomplete": "new-password"}


def _max(length: int) -> Length:
    return Length(max=length, message=lazy_gettext("%(num)s caractères au maximum.", num=length))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _email_validators():
    return [DataRequired(REQUIRED), Email(INVALID_EMAIL), _max(254)]


def _new_password_validators():
    return [DataRequired(REQUIRED), Length(min=services.PASSWORD_MIN_LENGTH, message=PASSWORD_LENGTH), _max(256)]


class LoginForm(Form):
    email = EmailField(lazy_gettext("Adresse électronique"), validators=[DataRequired(REQUIRED), Email(INVALID_EMAIL)], filters=[strip],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(lazy_gettext("Mot de passe"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(lazy_gettext("Rester connecté sur cet appareil"))


class ForgotPasswordForm(Form):
    email = EmailField(lazy_gettext("Adresse électronique"), filters=[strip], validators=_email_validators(), render_kw={"autocomplete": "email"})


PASSWORD = lazy_gettext("Mot de passe")
CONFIRM_PASSWORD = lazy_gettext("Confirmez le mot de passe")


def _new_password_fields(label=PASSWORD, confirm_label=CONFIRM_PASSWORD):
    """A new password and its confirmation, for ``password, confirm = _new_password_fields()`` in a form's
    body (the fields keep their place in the form's order, hence a function rather than a mixin)."""
    return (PasswordField(label, validators=_new_password_validators(), render_kw=NEW_PASSWORD),
            PasswordField(confirm_label, validators=[DataRequired(REQUIRED), EqualTo("password", PASSWORDS_DIFFER)],
                          render_kw=NEW_PASSWORD))


class ResetPasswordForm(Form):
    password, confirm = _new_password_fields(lazy_gettext("Nouveau mot de passe"), lazy_gettext("Confirmez le nouveau mot de passe"))


_ONE_LINE = OneLine()


class JoinForm(Form):
    name = StringField(lazy_gettext("Nom de l'organisation"), validators=[DataRequired(REQUIRED), _max(200), _ONE_LINE])
    kind = SelectField(lazy_gettext("Type d'organisation"), choices=choices({"": "Choisissez…", **ORGANISATION_KINDS}),
                       validators=[DataRequired(lazy_gettext("Choisissez un type d'organisation dans la liste."))])
    pivot = StringField(lazy_gettext("SIRET ou numéro RNA"), validators=[DataRequired(REQUIRED), Clean(validators.pivot)])
    contact_email = EmailField(lazy_gettext("Adresse électronique de contact"), filters=[strip], validators=_email_validators())
    contact_phone = TelField(lazy_gettext("Téléphone de contact"), validators=[DataRequired(REQUIRED),
                                                                  Clean(validators.phone)])
    website = StringField(lazy_gettext("Site internet (facultatif)"), validators=[Optional(), Clean(validators.url)])
    description = TextAreaField(lazy_gettext("Ce que fait votre organisation (facultatif)"),
                                validators=[Optional(), _max(1000)], render_kw={"rows": 3, "maxlength": 1000})
    admin_name = StringField(lazy_gettext("Votre nom"), validators=[DataRequired(REQUIRED), _max(120), _ONE_LINE],
                             render_kw={"autocomplete": "name"})
    admin_email = EmailField(lazy_gettext("Votre adresse électronique"), filters=[strip], validators=_email_validators(),
                             render_kw={"autocomplete": "email"})
    password, confirm = _new_password_fields()
    # Honeypot: hidden from people by CSS, filled in by robots.
    nickname = StringField(lazy_gettext("Ne remplissez pas ce champ"), render_kw={"autocomplete": "off", "tabindex": "-1"})

    ACCOUNT_FIELDS = ("admin_name", "admin_email", "password", "confirm")

    def without_account_fields(self) -> "JoinForm":
        """The logged-in person becomes the first admin: no account to create."""
        for name in self.ACCOUNT_FIELDS:
            delattr(self, name)
        return self

    def service_data(self) -> dict:
        """The keyword arguments of services.join_network."""
        names = ["name", "kind", "pivot", "contact_email", "contact_phone", "website", "description", "admin_name",
                 "admin_email", "password"]
        return {name: self[name].data for name in names if name in self}

    def is_robot(self) -> bool:
        return bool(self.nickname.data)


class InviteForm(Form):
    email = EmailField(lazy_gettext("Adresse électronique de la personne invitée"), filters=[strip], validators=_email_validators())
    role = SelectField(lazy_gettext("Rôle"), choices=choices(ROLES), default="member",
                       validators=[DataRequired(lazy_gettext("Choisissez un rôle dans la liste."))])


class AcceptInvitationForm(Form):
    name = StringField(lazy_gettext("Votre nom"), validators=[DataRequired(REQUIRED), _max(120), _ONE_LINE],
                       render_kw={"autocomplete": "name"})
    password, confirm = _new_password_fields()


class ConfirmForm(Form):
    """A button and its CSRF token."""


# The organisations list's action bar (issue 18): what may be done to the organisations ticked.
ORGANISATION_ACTIONS = {"suspendre": lazy_gettext("Suspendre"), "reactiver": lazy_gettext("Réactiver")}


class OrganisationsActionForm(BulkForm):
    action = RadioField(lazy_gettext("Action"), choices=choices(ORGANISATION_ACTIONS), validate_choice=False)
    reason = TextAreaField(lazy_gettext("Motif (envoyé aux organisations concernées)"),
                           render_kw={"rows": 2, "maxlength": 1000})
