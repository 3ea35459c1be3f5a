"""The contact form: it carries the fields and the CSRF token; the service validates."""
from flask_babel import lazy_gettext
from wtforms import EmailField, StringField, TextAreaField

from coordination.site.services import MESSAGE_MAX, NAME_MAX
from coordination.web.forms import Form


class ContactForm(Form):
    name = StringField(lazy_gettext("Votre nom"), render_kw={"maxlength": NAME_MAX, "autocomplete": "name"})
    email = EmailField(lazy_gettext("Votre adresse électronique"),
                       render_kw={"autocomplete": "email", "spellcheck": "false"})
    message = TextAreaField(lazy_gettext("Votre message"), render_kw={"maxlength": MESSAGE_MAX, "rows": 8})
    website = StringField(lazy_gettext("Ne remplissez pas ce champ"),
                          render_kw={"autocomplete": "off", "tabindex": "-1"})
