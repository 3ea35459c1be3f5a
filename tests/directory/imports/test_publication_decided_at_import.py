"""Publication decided at import (issue 15, item 3): organisations created by an import are accepted
or pending as the coordinator says, no mail leaves for an address taken from the file unless
« prévenir les structures » was ticked, and the report says how many places will be visible."""
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordination import mail
from coordination.auth import services as auth_services
from coordination.auth.models import Organisation, OrganisationImport
from coordination.core.clock import utcnow
from coordination.directory import imports
from coordination.directory.models import Place
from coordination.extensions import db as _db
from coordination.testing.factories import make_organisation, make_place
from tests.directory.imports.helpers import csv_text, row, three_organisations
from tests.test_mail import received, smtp_server  # noqa: F401 (the real SMTP server the suite uses)
from tests.french import plain

FILE_ADDRESSES = {"accueil@breil.exemple.fr", "contact@demy.exemple.fr", "bonjour@clic.exemple.fr"}


@pytest.fixture
def path(tmp_path):
    target = tmp_path / "lieux-2024.csv"
    target.write_text(three_organisations(), encoding="utf-8")
    return target


def visible_places() -> int:
    """What the public directory and the open-data export show (services.public_places' rule)."""
    return _db.session.scalar(select(func.count(Place.id)).join(Place.organisation).where(
        Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active"))


def recipients(recorder) -> set[str]:
    return {address.lower() for envelope in recorder.envelopes for address in envelope.rcpt_tos}


def send_everything_due(at=None):
    """The outbox job, as the scheduler runs it, now and (with ``at``) later."""
    return mail.send_pending(now=at or utcnow(), limit=10_000)


# --- the decision at import ------------------------------------------------------------------

def test_by_default_imported_organisations_wait_and_the_report_says_no_place_is_visible(coordinator, path):
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.report.applied
    organisations = _db.session.scalars(select(Organisation)).all()
    assert {o.status for o in organisations} == {"pending"}
    [record] = _db.session.scalars(select(OrganisationImport)).all()
    assert (record.publication, record.notify, record.organisations_created) == ("pending", False, 3)
    assert record.file_name == "lieux-2024.csv" and record.actor_id == coordinator.id
    assert {o.import_id for o in organisations} == {record.id}
    assert visible_places() == 0
    lines = plain(imports.summary_lines(outcome))
    assert "Organisations à créer, en attente de validation : 3" in lines
    assert "Lieux visibles dans l'annuaire public juste après l'import : 0 ; non visibles : 3" in lines
    assert "  - organisation créée par l'import, en attente de validation : 3 lieux" in lines
    assert any("Aucun courriel n'est envoyé aux adresses du fichier" in line for line in lines)


def test_accepted_at_import_the_places_are_public_at_once(coordinator, path):
    outcome = imports.apply_file(path, actor=coordinator, publication=imports.ACCEPTED)
    organisations = _db.session.scalars(select(Organisation)).all()
    assert {(o.status, o.decided_by_id) for o in organisations} == {("active", coordinator.id)}
    assert all(o.decided_at is not None for o in organisations)
    assert visible_places() == 3
    lines = plain(imports.summary_lines(outcome))
    assert "Organisations à créer, acceptées (source de confiance) : 3" in lines
    assert "Lieux visibles dans l'annuaire public juste après l'import : 3" in lines


def test_the_dry_run_counts_the_visible_places_for_the_choice_and_explains_the_others(coordinator, tmp_path):
    """Places of organisations already known keep their organisation's status; an unpublished place
    stays unpublished; a rejected line is counted too."""
    waiting = make_organisation("Déjà en attente", status="pending", pivot="35600000000048")
    suspended = make_organisation("Suspendue", status="suspended", pivot="44306184100047")
    active = make_organisation("Active", pivot="55208131766522")
    make_place(active, external_id="lieu-4", published=False, name="Lieu retiré", address="1 rue A",
               postcode="44000")
    path = tmp_path / "lieux.csv"
    path.write_text(csv_text([
        row(),  # a new organisation
        row(id="lieu-2", pivot=waiting.pivot, nom="Deux", adresse="2 rue B", latitude="47.2110",
            longitude="-1.5680"),
        row(id="lieu-3", pivot=suspended.pivot, nom="Trois", adresse="3 rue C", latitude="47.2150",
            longitude="-1.5450"),
        row(id="lieu-4", pivot=active.pivot, nom="Lieu retiré", adresse="1 rue A", code_postal="44000"),
        row(id="lieu-5", nom=""),  # rejected: no name
    ]), encoding="utf-8")
    for publication, visible in ((imports.PENDING, 0), (imports.ACCEPTED, 1)):
        outcome = imports.check_file(path, actor=coordinator, publication=publication)
        seen = outcome.plan.visibility(publication)
        assert seen.visible == visible
        hidden = plain(dict(seen.hidden))
        assert hidden.pop("organisation en attente de validation") == 1
        assert hidden.pop("organisation suspendue") == 1
        assert hidden.pop("lieu dépublié dans l'annuaire") == 1
        assert hidden.pop("ligne rejetée (erreur)") == 1
        if publication == imports.PENDING:
            assert hidden.pop("organisation créée par l'import, en attente de validation") == 1
        assert hidden == {}
    assert _db.session.scalar(select(func.count(OrganisationImport.id))) == 0  # a dry run writes nothing


def test_an_unknown_publication_is_refused_in_french(coordinator, path):
    from coordination.errors import Invalid
    with pytest.raises(Invalid, match="acceptées ou en attente"):
        imports.apply_file(path, actor=coordinator, publication="published")
    assert _db.session.scalar(select(func.count(Organisation.id))) == 0


def test_an_import_that_creates_no_organisation_leaves_no_record(coordinator, path):
    imports.apply_file(path, actor=coordinator)
    imports.apply_file(path, actor=coordinator)  # the same file again: nothing new
    assert _db.session.scalar(select(func.count(OrganisationImport.id))) == 1


# --- no mail to an address taken from a file ---------------------------------------------------

def test_accepting_imported_organisations_mails_no_address_of_the_file(coordinator, path, smtp_server):  # noqa: F811
    """Before issue 15, accepting them queued « Votre organisation a rejoint le réseau » to each."""
    imports.apply_file(path, actor=coordinator)
    ids = _db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    auth_services.accept_organisation(ids[0], actor=coordinator)  # one by one
    auth_services.refuse_organisation(ids[1], reason="Hors du territoire.", actor=coordinator)
    auth_services.suspend_organisation(ids[0], reason="Fermé.", actor=coordinator)
    auth_services.reactivate_organisation(ids[0], reason="Rouvert.", actor=coordinator)
    send_everything_due(utcnow() + timedelta(days=30))
    assert recipients(smtp_server) & FILE_ADDRESSES == set()
    assert smtp_server.envelopes == []


def test_a_bulk_acceptance_mails_no_address_of_the_file(coordinator, path, smtp_server):  # noqa: F811
    outcome = imports.apply_file(path, actor=coordinator)
    count = auth_services.decide_imported_organisations(outcome.report.import_id, action="accept",
                                                         actor=coordinator, expected=3)
    assert count == 3 and visible_places() == 3
    send_everything_due(utcnow() + timedelta(days=30))
    assert smtp_server.envelopes == []


def test_accepted_at_import_mails_nobody_without_the_box(coordinator, path, smtp_server):  # noqa: F811
    imports.apply_file(path, actor=coordinator, publication=imports.ACCEPTED)
    send_everything_due(utcnow() + timedelta(days=30))
    assert smtp_server.envelopes == []


def test_an_organisation_that_asked_to_join_is_still_told(coordinator, smtp_server):  # noqa: F811
    joined = make_organisation("Demande d'adhésion", status="pending")
    auth_services.accept_organisation(joined.id, actor=coordinator)
    send_everything_due()
    assert recipients(smtp_server) == {"contact@exemple.fr"}
    assert [e["Subject"] for e in received(smtp_server)] == ["Votre organisation a rejoint le réseau"]


def test_an_admin_of_an_imported_organisation_is_told(coordinator, path, smtp_server):  # noqa: F811
    """A person with an account (invited by a coordinator) is not an address of the file."""
    from coordination.testing.factories import make_member
    imports.apply_file(path, actor=coordinator)
    organisation = _db.session.scalars(select(Organisation).order_by(Organisation.id)).first()
    make_member(organisation, role="admin", email="admin@breil.exemple.fr")
    auth_services.accept_organisation(organisation.id, actor=coordinator)
    send_everything_due()
    assert recipients(smtp_server) == {"admin@breil.exemple.fr"}


# --- « prévenir les structures » ----------------------------------------------------------------

def test_with_the_box_one_invitation_per_organisation_spread_over_time(app, coordinator, path, smtp_server,  # noqa: F811
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_INVITATIONS_PER_HOUR", 60)  # one a minute
    start = utcnow()
    outcome = imports.apply_file(path, actor=coordinator, publication=imports.ACCEPTED, notify=True)
    assert outcome.report.invitations == 3
    messages = _db.session.scalars(select(mail.Message).order_by(mail.Message.next_attempt_at)).all()
    assert {m.recipient for m in messages} == FILE_ADDRESSES
    gaps = [(b.next_attempt_at - a.next_attempt_at).total_seconds() for a, b in itertools.pairwise(messages)]
    assert gaps == [60.0, 60.0]
    assert any("Invitations mises dans la file d'envoi : 3" in line for line in plain(imports.summary_lines(outcome)))
    send_everything_due(start + timedelta(seconds=30))  # the rate: one now, the others later
    assert len(smtp_server.envelopes) == 1
    send_everything_due(start + timedelta(minutes=5))
    assert recipients(smtp_server) == FILE_ADDRESSES and len(smtp_server.envelopes) == 3
    [email, *_] = received(smtp_server)
    assert "dans l'annuaire du réseau" in plain(email["Subject"])
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert "écrivez à la coordination du réseau (coordination@exemple.fr)" in body and "http://localhost/" in body
    # never twice: a second invitation for the same organisations is not queued
    record = _db.session.get(OrganisationImport, outcome.report.import_id)
    assert auth_services.queue_import_invitations(_db.session.scalars(select(Organisation)).all(), record) == 0


def test_with_the_box_and_pending_the_invitation_leaves_on_acceptance(coordinator, path, smtp_server):  # noqa: F811
    outcome = imports.apply_file(path, actor=coordinator, notify=True)
    assert outcome.report.invitations == 0
    assert _db.session.scalar(select(func.count(mail.Message.id))) == 0
    auth_services.decide_imported_organisations(outcome.report.import_id, action="accept", actor=coordinator)
    send_everything_due(utcnow() + timedelta(days=1))
    assert recipients(smtp_server) == FILE_ADDRESSES and len(smtp_server.envelopes) == 3


def test_no_invitation_to_the_coordinator_address_used_when_the_file_has_none(coordinator, tmp_path,
                                                                              smtp_server):  # noqa: F811
    path = tmp_path / "sans-courriel.csv"
    path.write_text(csv_text([row(courriels="")]), encoding="utf-8")
    imports.apply_file(path, actor=coordinator, publication=imports.ACCEPTED, notify=True)
    assert _db.session.scalars(select(Organisation.contact_email)).all() == [coordinator.email]
    send_everything_due(utcnow() + timedelta(days=1))
    assert smtp_server.envelopes == []


# --- the command line ---------------------------------------------------------------------------

def test_the_command_line_flags(app, coordinator, path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["opendata", "import", str(path), "--as", coordinator.email, "--dry-run",
                                 "--organisations", "acceptees"])
    assert result.exit_code == 0, plain(result.output)
    assert "Lieux visibles dans l'annuaire public juste après l'import : 3" in plain(result.output)
    result = runner.invoke(args=["opendata", "import", str(path), "--as", coordinator.email])
    assert result.exit_code == 0, plain(result.output)
    assert "Lieux visibles dans l'annuaire public juste après l'import : 0 ; non visibles : 3" in plain(result.output)
    assert "organisation créée par l'import, en attente de validation : 3 lieux" in plain(result.output)
    assert {o.status for o in _db.session.scalars(select(Organisation))} == {"pending"}


def test_the_command_line_accepts_and_notifies(app, coordinator, path):
    result = app.test_cli_runner().invoke(args=[
        "opendata", "import", str(path), "--as", coordinator.email, "--organisations", "acceptees",
        "--prevenir-structures"])
    assert result.exit_code == 0, plain(result.output)
    assert "Invitations mises dans la file d'envoi : 3" in plain(result.output)
    assert {o.status for o in _db.session.scalars(select(Organisation))} == {"active"}


def test_the_command_line_refuses_an_unknown_choice_in_french(app, coordinator, path):
    result = app.test_cli_runner().invoke(args=["opendata", "import", str(path), "--as", coordinator.email,
                                                "--organisations", "publiees"])
    assert result.exit_code == 2
    assert "« publiees » : choisissez « acceptees » ou « en-attente »" in plain(result.output)
