"""Account forms. Every message is French and shown next to its field; the services validate again."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms < 3.3 takes (value, label) tuples
    def SelectChoice(value, label):
        return (value, label)

from coordination.auth import services
from coordination.one_line import OneLine
from coordination.errors import Invalid
from coordination.vocabularies import ORGANISATION_KINDS, ROLES

REQUIRED = "Ce champ est obligatoire."
INVALID_EMAIL = "Adresse électronique invalide."
PASSWORD_LENGTH = f"Le mot de passe doit contenir au moins {services.PASSWORD_MIN_LENGTH} caractères."
PASSWORDS_DIFFER = "Les deux mots de passe ne correspondent pas."
NEW_PASSWORD = {"autocomplete": "new-password"}


def _max(length: int) -> Length:
    return Length(max=length, message=f"{length} caractères au maximum.")


class Form(FlaskForm):
    """WTForms' own messages (e.g. « choix non valide ») in French as well."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


def _choices(labels: dict) -> list:
    return [SelectChoice(value, label) for value, label in labels.items()]


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _email_validators():
    return [DataRequired(REQUIRED), Email(INVALID_EMAIL), _max(254)]


def _new_password_validators():
    return [DataRequired(REQUIRED), Length(min=services.PASSWORD_MIN_LENGTH, message=PASSWORD_LENGTH), _max(256)]


def _service_check(normaliser):
    """A field validator from a service normaliser: its French message goes next to the field."""
    def check(form, field):
        if field.data:
            try:
                normaliser(field.data)
            except Invalid as error:
                raise ValidationError(" ".join(error.errors.values()) or error.message) from None
    return check


def apply_errors(form, error: Invalid) -> bool:
    """Puts a service's field errors next to the form's fields. False when one has no field."""
    placed = True
    for name, message in error.errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            placed = False
    return placed and bool(error.errors)


class LoginForm(Form):
    email = EmailField("Adresse électronique", validators=[DataRequired(REQUIRED), Email(INVALID_EMAIL)], filters=[strip],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Rester connecté sur cet appareil")


class ForgotPasswordForm(Form):
    email = EmailField("Adresse électronique", filters=[strip], validators=_email_validators(), render_kw={"autocomplete": "email"})


class ResetPasswordForm(Form):
    password = PasswordField("Nouveau mot de passe", validators=_new_password_validators(),
                             render_kw=NEW_PASSWORD)
    confirm = PasswordField("Confirmez le nouveau mot de passe",
                            validators=[DataRequired(REQUIRED), EqualTo("password", PASSWORDS_DIFFER)],
                            render_kw=NEW_PASSWORD)


_ONE_LINE = OneLine(services._SINGLE_LINE)  # the services' message: the same next to the field


class JoinForm(Form):
    name = StringField("Nom de l'organisation", validators=[DataRequired(REQUIRED), _max(200), _ONE_LINE])
    kind = SelectField("Type d'organisation", choices=_choices({"": "Choisissez…", **ORGANISATION_KINDS}),
                       validators=[DataRequired("Choisissez un type d'organisation dans la liste.")])
    pivot = StringField("SIRET ou numéro RNA", validators=[DataRequired(REQUIRED), _service_check(services.normalise_pivot)])
    contact_email = EmailField("Adresse électronique de contact", filters=[strip], validators=_email_validators())
    contact_phone = TelField("Téléphone de contact", validators=[DataRequired(REQUIRED),
                                                                  _service_check(services.normalise_phone)])
    website = StringField("Site internet (facultatif)", validators=[Optional(), _service_check(services.normalise_website)])
    admin_name = StringField("Votre nom", validators=[DataRequired(REQUIRED), _max(120), _ONE_LINE],
                             render_kw={"autocomplete": "name"})
    admin_email = EmailField("Votre adresse électronique", filters=[strip], validators=_email_validators(),
                             render_kw={"autocomplete": "email"})
    password = PasswordField("Mot de passe", validators=_new_password_validators(),
                             render_kw=NEW_PASSWORD)
    confirm = PasswordField("Confirmez le mot de passe",
                            validators=[DataRequired(REQUIRED), EqualTo("password", PASSWORDS_DIFFER)],
                            render_kw=NEW_PASSWORD)
    # Honeypot: hidden from people by CSS, filled in by robots.
    nickname = StringField("Ne remplissez pas ce champ", render_kw={"autocomplete": "off", "tabindex": "-1"})

    ACCOUNT_FIELDS = ("admin_name", "admin_email", "password", "confirm")

    def without_account_fields(self) -> "JoinForm":
        """The logged-in person becomes the first admin: no account to create."""
        for name in self.ACCOUNT_FIELDS:
            delattr(self, name)
        return self

    def service_data(self) -> dict:
        """The keyword arguments of services.join_network."""
        names = ["name", "kind", "pivot", "contact_email", "contact_phone", "website", "admin_name", "admin_email",
                 "password"]
        return {name: self[name].data for name in names if name in self}

    def is_robot(self) -> bool:
        return bool(self.nickname.data)


class InviteForm(Form):
    email = EmailField("Adresse électronique de la personne invitée", filters=[strip], validators=_email_validators())
    role = SelectField("Rôle", choices=_choices(ROLES), default="member",
                       validators=[DataRequired("Choisissez un rôle dans la liste.")])


class AcceptInvitationForm(Form):
    name = StringField("Votre nom", validators=[DataRequired(REQUIRED), _max(120), _ONE_LINE],
                       render_kw={"autocomplete": "name"})
    password = PasswordField("Mot de passe", validators=_new_password_validators(),
                             render_kw=NEW_PASSWORD)
    confirm = PasswordField("Confirmez le mot de passe",
                            validators=[DataRequired(REQUIRED), EqualTo("password", PASSWORDS_DIFFER)],
                            render_kw=NEW_PASSWORD)


class ConfirmForm(Form):
    """A button and its CSRF token."""


class ReasonForm(Form):
    """A reason for a coordinator's decision; several sit on one page, told apart by their prefix."""
    reason = TextAreaField("Motif", validators=[DataRequired("Indiquez le motif."), _max(1000)])

    @classmethod
    def build(cls, action: str, organisation_id: int, label: str, *, bind: bool = False) -> "ReasonForm":
        form = cls(prefix=f"{action}-{organisation_id}", **({} if bind else {"formdata": None}))
        form.reason.label.text = label
        return form
