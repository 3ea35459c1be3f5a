"""Finding 7 of the security review: a place named `Nom\\r\\nBcc: x@evil` was stored, and then every
error-report mail about that place failed forever (`Header values may not contain linefeed`): a
partner could silence the reports to the coordinators. One-line fields now refuse line breaks of
every kind, an import joins them to one line with a warning, and mail subjects are built by one
function that no stored text can break."""
import pytest
from sqlalchemy import select, update

from coordination import mail
from coordination.auth.models import Organisation
from coordination.directory import validation
from coordination.directory.models import Place
from coordination.errors import Invalid
from coordination.core.validators import breaks_line, collapse
from coordination.testing.factories import make_member, make_organisation, make_place, make_user
from coordination.directory import imports
from tests.directory.conftest import form_data
from tests.directory.imports.helpers import csv_text, row

BREAKS = ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]
ONE_LINE_MESSAGE = "Ce champ doit tenir sur une seule ligne, sans retour à la ligne ni caractère de contrôle."


class Recorder:
    def __init__(self):
        self.sent = []

    def send(self, email):
        self.sent.append(email)


@pytest.mark.parametrize("brk", BREAKS)
def test_breaks_line_sees_every_kind_of_line_break(brk):
    assert breaks_line(f"Nom{brk}Bcc: x@evil")
    assert collapse(f" Nom {brk}{brk} Bcc ") == "Nom Bcc"


@pytest.mark.parametrize("text", ["Espace numérique", "Nom\tavec tabulation", "", None, "L'Atelier « Clic » – Nantes"])
def test_ordinary_one_line_texts_pass(text):
    assert not breaks_line(text)


@pytest.mark.parametrize("brk", ["\r\n", "\n", "\u2028", "\x85"])
@pytest.mark.parametrize("field", ["name", "address", "commune", "address_complement", "parent_structure"])
def test_the_place_form_refuses_a_line_break_next_to_the_field(client, db, login, field, brk):
    organisation = make_organisation("Les Connectés")
    place = make_place(organisation, name="Espace numérique")
    login(make_member(organisation, role="admin"))
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier",
                           data=form_data(place, **{field: f"Rue{brk}Bcc: x@evil.example"}))
    assert response.status_code in (200, 400)
    assert ONE_LINE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Place.name).where(Place.id == place.id)) == "Espace numérique"


@pytest.mark.parametrize("brk", BREAKS)
def test_the_place_service_refuses_a_line_break_in_a_name(app, brk):
    with pytest.raises(Invalid) as error:
        validation.clean_place({"name": f"Nom{brk}Bcc: x@evil"}, partial=True)
    assert error.value.errors == {"name": [ONE_LINE_MESSAGE]}


def test_a_trailing_line_break_is_only_trimmed(app):
    assert validation.clean_place({"name": "Espace numérique\r\n"}, partial=True) == {"name": "Espace numérique"}


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x85"])
def test_the_join_form_refuses_unicode_line_breaks_in_names(client, db, mail_outbox, brk):
    from tests.auth.test_join import join_data
    response = client.post("/rejoindre", data=join_data(name=f"Les Connectés{brk}Bcc: x@evil"))
    assert response.status_code == 200
    assert ONE_LINE_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalars(select(Organisation)).all() == [] and mail_outbox() == []


@pytest.mark.parametrize("brk", ["\n", "\u2028", "\x85"])
def test_a_referred_person_name_is_joined_to_one_line(app, brk):
    from coordination.referrals import services  # it already collapsed every whitespace run: kept that way
    errors = {}
    person = services._clean_person({"first_name": f"Nour{brk}Bcc", "last_name": f"B{brk}"}, errors)["person"]
    assert (person["first_name"], person["last_name"]) == ("Nour Bcc", "B") and not breaks_line(person["first_name"])


def test_a_report_about_a_place_whose_stored_name_breaks_lines_is_still_mailed(client, db, mail_outbox):
    organisation = make_organisation("Les Connectés")
    place = make_place(organisation, name="Espace numérique")
    make_member(organisation, role="admin", email="admin@connectes.fr")
    make_user("coordination@exemple.fr", coordinator=True)
    # As stored before the fix (or by any path that skips the services).
    db.session.execute(update(Place).where(Place.id == place.id).values(name="Nom\r\nBcc: x@evil.example"))
    db.session.commit()
    response = client.post(f"/lieux/{place.public_id}/signaler", data={"kind": "closed"})
    assert response.status_code == 302
    queued = mail_outbox()
    assert queued and all(m.subject == "Erreur signalée sur « Nom Bcc: x@evil.example »" for m in queued)
    backend = Recorder()
    assert mail.send_pending(backend=backend) == {"sent": len(queued), "retry": 0, "failed": 0, "cancelled": 0}
    for email in backend.sent:
        assert email["Subject"] == "Erreur signalée sur « Nom Bcc: x@evil.example »"
        assert email["Bcc"] is None and "x@evil.example" not in email["To"]


def test_a_message_queued_with_a_broken_subject_before_the_fix_is_sent_on_one_line(db, mail_outbox):
    db.session.add(mail.Message(recipient="camille@exemple.fr", subject="Objet\r\nBcc: x@evil.example\u2028suite",
                                body_text="Bonjour", attachments=[]))
    db.session.commit()
    backend = Recorder()
    assert mail.send_pending(backend=backend) == {"sent": 1, "retry": 0, "failed": 0, "cancelled": 0}
    assert backend.sent[0]["Subject"] == "Objet Bcc: x@evil.example suite" and backend.sent[0]["Bcc"] is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Objet\r\n\r\n  suite\t!", "Objet suite !"),
    ("Nom\x00\x1b[31m rouge", "Nom[31m rouge"),
    ("é" * 300, "é" * 249 + "…"),
])
def test_subject_line(text, expected):
    assert mail.subject_line(text) == expected
    assert len(mail.subject_line(text)) <= mail.SUBJECT_MAX


def test_an_imported_line_break_costs_a_warning_not_the_place(db, tmp_path):
    coordinator = make_user("coordination@exemple.fr", coordinator=True)
    path = tmp_path / "lieux.csv"
    path.write_text(csv_text([row(nom="Espace numérique\r\ndu Breil", adresse="12 rue\u2028du Breil")]),
                    encoding="utf-8")
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.report.applied
    warnings = {p.column: p for p in outcome.problems if p.severity == "warning"}
    assert "retour à la ligne" in warnings["nom"].message and "retour à la ligne" in warnings["adresse"].message
    place = db.session.scalar(select(Place))
    assert (place.name, place.address) == ("Espace numérique du Breil", "12 rue du Breil")


def test_an_imported_control_character_is_dropped_with_a_warning(db, tmp_path):
    """The pages refuse them with a 400 (finding 6); a file may bring them: the place is kept."""
    coordinator = make_user("coordination@exemple.fr", coordinator=True)
    path = tmp_path / "lieux.csv"
    path.write_text(csv_text([row(nom="Espace\x07 numérique\x1b du Breil", adresse="12 rue du Breil\x7f")]),
                    encoding="utf-8")
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.report.applied
    warnings = {p.column: p for p in outcome.problems if p.severity == "warning"}
    assert "caractère de contrôle invisible retiré" in warnings["nom"].message
    assert "caractère de contrôle invisible retiré" in warnings["adresse"].message
    place = db.session.scalar(select(Place))
    assert (place.name, place.address) == ("Espace numérique du Breil", "12 rue du Breil")
