"""Single-line texts (names, emails, websites) refuse control characters: they end up in mail
subjects and headers. Multi-line reasons keep their line breaks."""
import pytest
from sqlalchemy import select

from coordination.auth import services
from coordination.auth.models import Organisation, User
from coordination.errors import Invalid
from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_user
from tests.auth.helpers import text
from tests.auth.test_join import join_data
from tests.auth.test_members import invite

CONTROL = "Ce champ doit tenir sur une seule ligne, sans retour à la ligne ni caractère de contrôle."


@pytest.mark.parametrize("field", ["name", "admin_name"])
@pytest.mark.parametrize("bad", ["Les Connectés\r\nBcc: victime@exemple.fr", "Les Connectés\u2028Bcc"])
def test_join_form_refuses_control_characters_next_to_the_field(client, db, mail_outbox, field, bad):
    response = client.post("/rejoindre", data=join_data(**{field: bad}))
    assert response.status_code == 200
    page = text(response)
    assert f'<p class="error-message" id="{field}-error">{CONTROL}</p>' in page
    assert db.session.scalars(select(Organisation)).all() == [] and mail_outbox() == []


@pytest.mark.parametrize("field", ["name", "admin_name"])
@pytest.mark.parametrize("bad", ["Les\x00Connectés", "Les Connectés\x7f"])
def test_join_form_with_other_control_characters_is_refused_before_the_form(client, db, mail_outbox, field, bad):
    # Issue 13, finding 6: one request hook refuses NUL, DEL and the other C0 characters in any form.
    response = client.post("/rejoindre", data=join_data(**{field: bad}))
    assert response.status_code == 400
    assert "caractère de contrôle" in text(response) and f"« {field} »" in text(response)
    assert db.session.scalars(select(Organisation)).all() == [] and mail_outbox() == []


@pytest.mark.parametrize(("field", "value"), [
    ("contact_email", "contact@connectes.fr\nBcc: x@exemple.fr"),
    ("admin_email", "sacha\r\n@connectes.fr"),
    ("website", "https://connectes.fr/\r\nBcc:"),
])
def test_join_service_refuses_control_characters_in_emails_and_website(app, db, field, value):
    data = join_data(**{field: value})
    data.pop("confirm")
    with app.test_request_context(), pytest.raises(Invalid) as error:
        services.join_network(**data)
    assert field in error.value.errors
    assert db.session.scalars(select(Organisation)).all() == []


def test_a_tab_pasted_in_a_name_becomes_a_space(client, db):
    assert client.post("/rejoindre", data=join_data(name="Les\tConnectés")).status_code == 302
    assert db.session.scalar(select(Organisation.name)) == "Les Connectés"


def test_surrounding_whitespace_is_still_just_trimmed(client, db):
    assert client.post("/rejoindre", data=join_data(name="  Les Connectés \r\n")).status_code == 302
    assert db.session.scalar(select(Organisation.name)) == "Les Connectés"


def test_invitation_signup_refuses_a_name_with_line_breaks(client, login, mail_outbox, db):
    from tests.auth.helpers import link_in
    organisation = make_organisation("Les Petits Débrouillards")
    admin = make_member(organisation, role="admin")
    login(admin)
    invite(client, organisation, "nouvelle@exemple.fr")
    client.post("/deconnexion")
    link = link_in(mail_outbox()[-1])
    response = client.post(link, data={"name": "Nour\r\nNouvelle", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 200
    assert f'id="name-error">{CONTROL}</p>' in text(response)
    assert db.session.scalar(select(User).where(User.email == "nouvelle@exemple.fr")) is None


def test_coordinator_name_refuses_control_characters(app, db):
    with pytest.raises(Invalid) as error:
        services.create_coordinator(email="coord@exemple.fr", name="Claude\nCoord", password=PASSWORD)
    assert error.value.errors == {"name": [CONTROL]}


def test_reasons_keep_their_line_breaks(client, login, db, mail_outbox):
    login(make_user("coordination@exemple.fr", coordinator=True))
    pending = make_organisation("En attente", status="pending")
    reason = "Première ligne.\r\nDeuxième ligne."
    response = client.post(f"/coordination/moderation/organisations/{pending.id}/refuser",
                           data={f"refuser-{pending.id}-reason": reason})
    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.refusal_reason == "Première ligne.\nDeuxième ligne."


def test_reasons_refuse_other_control_characters(app, db):
    coordinator = make_user("coordination@exemple.fr", coordinator=True)
    pending = make_organisation("En attente", status="pending")
    with pytest.raises(Invalid) as error:
        services.refuse_organisation(pending.id, reason="Motif\x1b[31m", actor=coordinator)
    assert "reason" in error.value.errors
