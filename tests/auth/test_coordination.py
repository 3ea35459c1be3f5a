"""The coordination space: validating, refusing, suspending and reactivating organisations."""
import pytest
from sqlalchemy import select

from coordination.auth.models import User
from coordination.testing.factories import make_member, make_organisation
from tests.auth.helpers import audit_actions, text
from tests.french import plain


@pytest.fixture
def signed_in_coordinator(coordinator, login):
    login(coordinator)
    return coordinator


@pytest.fixture
def pending():
    organisation = make_organisation("Centre social des Dervallières", status="pending", kind="centre_social")
    make_member(organisation, role="admin", email="admin@dervallieres.fr")
    make_member(organisation, role="member", email="membre@dervallieres.fr")
    return organisation


def test_home_lists_pending_requests(client, signed_in_coordinator, pending):
    make_organisation("Déjà active")
    page = text(client.get("/coordination/moderation"))
    assert "Centre social des Dervallières" in page
    assert "Centre social" in page and pending.pivot in page and "contact@exemple.fr" in page
    assert "Déjà active" not in page
    assert f'action="/coordination/moderation/organisations/{pending.id}/accepter"' in page
    assert page.count("<h1>") == 1


def test_accept(client, signed_in_coordinator, pending, db, mail_outbox):
    response = client.post(f"/coordination/moderation/organisations/{pending.id}/accepter", follow_redirects=True)
    assert "« Centre social des Dervallières » a rejoint le réseau." in text(response)
    db.session.refresh(pending)
    assert pending.status == "active"
    assert pending.decided_by_id == signed_in_coordinator.id and pending.decided_at is not None
    assert "organisation.accepted" in audit_actions(db)
    messages = mail_outbox()
    assert sorted(m.recipient for m in messages) == ["admin@dervallieres.fr", "contact@exemple.fr"]
    assert {plain(m.subject) for m in messages} == {"Votre organisation a rejoint le réseau"}


def test_accepting_twice_is_a_conflict(client, signed_in_coordinator, pending):
    client.post(f"/coordination/moderation/organisations/{pending.id}/accepter")
    response = client.post(f"/coordination/moderation/organisations/{pending.id}/accepter")
    assert response.status_code == 409
    assert "a changé de statut" in text(response)


def test_refuse_needs_a_reason(client, signed_in_coordinator, pending, db, mail_outbox):
    response = client.post(f"/coordination/moderation/organisations/{pending.id}/refuser", data={f"refuser-{pending.id}-reason": " "})
    assert response.status_code == 400
    assert "Indiquez le motif du refus." in text(response)
    assert f'id="refuser-{pending.id}-reason-error"' in text(response)
    db.session.refresh(pending)
    assert pending.status == "pending" and mail_outbox() == []


def test_refuse_with_reason(client, signed_in_coordinator, pending, db, mail_outbox):
    reason = "Votre structure n'intervient pas sur le territoire du réseau."
    response = client.post(f"/coordination/moderation/organisations/{pending.id}/refuser",
                           data={f"refuser-{pending.id}-reason": reason}, follow_redirects=True)
    assert "a été refusée" in text(response)
    db.session.refresh(pending)
    assert pending.status == "refused" and pending.refusal_reason == reason
    assert "organisation.refused" in audit_actions(db)
    messages = mail_outbox()
    assert sorted(m.recipient for m in messages) == ["admin@dervallieres.fr", "contact@exemple.fr"]
    assert all(reason in plain(m.body_text) for m in messages)
    assert plain(messages[0].subject) == "Votre demande d'adhésion au réseau"


def test_suspend_and_reactivate(client, signed_in_coordinator, db, mail_outbox):
    organisation = make_organisation("Médiathèque Jacques Demy", kind="mediatheque")
    page = text(client.get("/coordination/organisations"))
    assert "Médiathèque Jacques Demy" in page and "Active" in page
    url = f"/coordination/organisations/{organisation.id}"
    assert "Indiquez le motif." in text(client.post(f"{url}/suspendre", data={}))
    client.post(f"{url}/suspendre", data={f"suspendre-{organisation.id}-reason": "Fiches jamais mises à jour."})
    db.session.refresh(organisation)
    assert organisation.status == "suspended"
    assert "Suspendue" in text(client.get("/coordination/organisations"))
    client.post(f"{url}/reactiver", data={f"reactiver-{organisation.id}-reason": "Fiches mises à jour."})
    db.session.refresh(organisation)
    assert organisation.status == "active"
    assert audit_actions(db, "organisation") == ["organisation.suspended", "organisation.reactivated"]
    assert [plain(m.subject) for m in mail_outbox()] == ["Votre organisation est suspendue du réseau",
                                                  "Votre organisation est de nouveau active sur le réseau"]


def test_only_pending_can_be_refused_and_only_active_suspended(client, signed_in_coordinator, pending):
    assert client.post(f"/coordination/organisations/{pending.id}/suspendre",
                       data={f"suspendre-{pending.id}-reason": "x"}).status_code == 409
    assert client.post("/coordination/moderation/organisations/9999/accepter").status_code == 404


def test_anonymous_is_sent_to_login(client, pending):
    response = client.get("/coordination")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    response = client.post(f"/coordination/moderation/organisations/{pending.id}/accepter")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("url", ["/coordination", "/coordination/organisations",
                                 "/coordination/moderation"])
def test_non_coordinator_cannot_see_the_space(client, login, pending, url):
    login(make_member(make_organisation(), role="admin"))
    response = client.get(url)
    assert response.status_code == 403
    assert "Accès refusé" in text(response)


@pytest.mark.parametrize("action", ["accepter", "refuser"])
def test_non_coordinator_cannot_decide(client, login, pending, db, action):
    login(db.session.scalar(select(User).where(User.email == "admin@dervallieres.fr")))
    response = client.post(f"/coordination/moderation/organisations/{pending.id}/{action}",
                           data={f"refuser-{pending.id}-reason": "Je me refuse moi-même."})
    assert response.status_code == 403
    db.session.refresh(pending)
    assert pending.status == "pending"


def test_views_take_only_their_url_arguments():
    """Pages are rendered by plain helpers, not by calling other views with extra arguments."""
    import inspect

    from coordination.auth import views
    assert not hasattr(views, "PAGES")
    assert list(inspect.signature(views.requests).parameters) == []
    assert list(inspect.signature(views.organisations).parameters) == []


def test_a_refused_decision_comes_back_to_its_own_page(client, signed_in_coordinator, pending, db):
    active = make_organisation("Médiathèque Jacques Demy")
    page = text(client.post(f"/coordination/organisations/{active.id}/suspendre", data={}))
    assert "<h1>Organisations du réseau</h1>" in page and f'id="suspendre-{active.id}-reason-error"' in page
    page = text(client.post(f"/coordination/moderation/organisations/{pending.id}/refuser", data={}))
    assert "<h1>File de modération</h1>" in page and f'id="refuser-{pending.id}-reason-error"' in page


def test_dates_are_shown_in_paris_time(client, signed_in_coordinator, db):
    from datetime import datetime
    late = make_organisation("Arrivée tard le soir", status="pending")
    late.created_at = datetime(2026, 2, 28, 23, 30)  # UTC: already 1 March in Paris
    decided = make_organisation("Suspendue au petit matin", status="suspended")
    decided.decided_at = datetime(2026, 7, 14, 22, 15)  # UTC: 15 July in Paris (summer time)
    db.session.commit()
    assert "1er mars 2026" in text(client.get("/coordination/moderation"))
    assert "15 juillet 2026" in text(client.get("/coordination/organisations"))


def test_the_old_requests_page_leads_to_the_moderation_queue_for_good(client, signed_in_coordinator, pending):
    response = client.get("/coordination/organisations/demandes")
    assert response.status_code == 301 and response.headers["Location"] == "/coordination/moderation#organisations"
    assert "Centre social des Dervallières" in text(client.get(response.headers["Location"]))


def test_pending_organisations_are_decided_only_in_the_moderation_queue(client, signed_in_coordinator, pending, db):
    assert client.post(f"/coordination/organisations/{pending.id}/accepter").status_code == 404
    assert client.post(f"/coordination/organisations/{pending.id}/refuser",
                       data={f"refuser-{pending.id}-reason": "Non"}).status_code == 404
    db.session.refresh(pending)
    assert pending.status == "pending"
