"""The contact form: a resident's message reaches the contact address through the outbox; robots
(honeypot) and floods (rate limit) are turned away; errors are explained in French, next to the field."""
from html import unescape

import pytest

GOOD = {"name": "Awa Diallo", "email": "awa@exemple.fr", "message": "Bonjour,\nOù trouver de l'aide pour la CAF ?"}


def post_contact(client, address="/contact", **changes):
    return client.post(address, data={**GOOD, **changes})


def test_a_message_is_queued_to_the_contact_address(app, client, mail_outbox):
    response = post_contact(client)
    assert response.status_code == 302 and response.headers["Location"] == "/contact"
    [message] = mail_outbox()
    assert message.recipient == app.config["SITE_CONTACT_EMAIL"]
    assert message.subject == "Message de Awa Diallo (formulaire de contact)"
    assert "awa@exemple.fr" in message.body_text and "pour la CAF ?" in message.body_text
    assert message.reply_to == "awa@exemple.fr"  # « Répondre » in the network's mail client reaches her
    assert "Merci\u00a0: votre message a été envoyé." in client.get("/contact").get_data(as_text=True)


def test_a_message_from_an_english_page_reaches_the_network_in_french(client, mail_outbox):
    response = post_contact(client, "/en/contact")
    assert response.headers["Location"] == "/en/contact"
    [message] = mail_outbox()
    assert message.subject.startswith("Message de Awa Diallo")
    assert "page lue en English" in message.body_text


def test_a_filled_honeypot_is_answered_as_a_success_and_sends_nothing(client, mail_outbox):
    response = post_contact(client, website="https://spam.example")
    assert response.status_code == 302
    assert mail_outbox() == []


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": "awa-at-exemple"}, "email", "L’adresse électronique n’est pas valide\u00a0: vérifiez-la"),
    ({"email": ""}, "email", "Indiquez votre adresse électronique"),
    ({"name": "  "}, "name", "Indiquez votre nom."),
    ({"message": ""}, "message", "Écrivez votre message."),
    ({"message": "x" * 3001}, "message", "Le message doit faire 3000 caractères au plus."),
])
def test_bad_input_is_explained_in_french_next_to_the_field(client, mail_outbox, changes, field, message):
    response = post_contact(client, **changes)
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert f'id="{field}-error">' in page
    assert message in page
    assert 'aria-invalid="true"' in page
    assert mail_outbox() == []


def test_errors_on_a_spanish_page_are_in_spanish(client):
    page = post_contact(client, "/es/contact", email="nope").get_data(as_text=True)
    assert "El correo electrónico no es válido" in page


def test_posts_are_rate_limited_per_address(app, client, mail_outbox):
    limit = int(app.config["RATELIMIT_CONTACT"].split()[0])
    for _ in range(limit):
        assert post_contact(client).status_code == 302
    response = post_contact(client)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)
    assert len(mail_outbox()) == limit
    assert client.get("/contact").status_code == 200  # reading the page is never limited
    other = client.post("/contact", data=GOOD, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 302


def test_without_a_contact_address_the_form_is_closed(app, client, mail_outbox, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_CONTACT_EMAIL", "")
    assert "n’est pas encore ouvert" in unescape(client.get("/contact").get_data(as_text=True))
    response = post_contact(client)
    assert response.status_code == 400 and mail_outbox() == []


def test_the_form_carries_a_csrf_token_and_a_hidden_honeypot(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/contact").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert '<div class="honeypot" aria-hidden="true">' in page
    assert post_contact(client).status_code == 400  # no token: refused
