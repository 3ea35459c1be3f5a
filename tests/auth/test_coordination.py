"""The coordination space: validating, refusing, suspending and reactivating organisations."""
import pytest
from sqlalchemy import select

from coordination.auth.models import User
from coordination.errors import PermissionDenied
from coordination.testing.factories import make_member, make_organisation, make_user
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


def act(client, action, ids, reason, next_url=None):
    data = {"action": action, "ids": [str(i) for i in ids], "reason": reason}
    if next_url:
        data["next"] = next_url
    return client.post("/coordination/organisations/action", data=data)


def test_suspend_and_reactivate(client, signed_in_coordinator, db, mail_outbox):
    organisation = make_organisation("Médiathèque Jacques Demy", kind="mediatheque")
    page = text(client.get("/coordination/organisations"))
    assert "Médiathèque Jacques Demy" in page and "Active" in page
    assert "Indiquez le motif de la suspension." in text(act(client, "suspendre", [organisation.id], ""))
    response = act(client, "suspendre", [organisation.id], "Fiches jamais mises à jour.")
    assert response.status_code == 302
    assert "1 organisation suspendue." in text(client.get(response.headers["Location"]))
    db.session.refresh(organisation)
    assert organisation.status == "suspended"
    assert "Suspendue" in text(client.get("/coordination/organisations"))
    act(client, "reactiver", [organisation.id], "Fiches mises à jour.")
    db.session.refresh(organisation)
    assert organisation.status == "active"
    assert audit_actions(db, "organisation") == ["organisation.suspended", "organisation.reactivated"]
    assert [plain(m.subject) for m in mail_outbox()] == ["Votre organisation est suspendue du réseau",
                                                  "Votre organisation est de nouveau active sur le réseau"]


def test_the_action_bar_changes_the_rows_ticked_and_says_how_many(client, signed_in_coordinator, db, mail_outbox):
    """Issue 18: one action for many rows, each through the one-by-one service; rows whose status does
    not allow it are left alone and counted apart; back to the same page of the list."""
    first, second = make_organisation("Alpha"), make_organisation("Bravo")
    already = make_organisation("Charlie", status="suspended")
    untouched = make_organisation("Delta")
    back = "/coordination/organisations?q=a&tri=statut&page=1"
    response = act(client, "suspendre", [first.id, second.id, already.id], "Hors territoire.", next_url=back)
    assert response.status_code == 302 and response.headers["Location"] == back
    flashed = plain(text(client.get(back)))
    assert "2 organisations suspendues." in flashed
    assert "1 organisation cochée n'avait pas le statut voulu : elle n'a pas changé." in flashed
    db.session.expire_all()
    assert [o.status for o in (first, second, already, untouched)] == ["suspended", "suspended", "suspended", "active"]
    assert len(mail_outbox()) == 2


def test_the_action_bar_refuses_without_a_row_or_an_action(client, signed_in_coordinator, db):
    organisation = make_organisation("Alpha")
    page = text(act(client, "suspendre", [], "Motif"))
    assert "Cochez au moins une organisation dans la liste." in page
    page = text(act(client, "", [organisation.id], "Motif"))
    assert "Choisissez de suspendre ou de réactiver." in page
    assert f'id="select-{organisation.id}" checked' in page  # the rows stay ticked
    db.session.refresh(organisation)
    assert organisation.status == "active"


def test_only_pending_can_be_refused_and_only_active_suspended(client, signed_in_coordinator, pending, db):
    response = act(client, "suspendre", [pending.id], "x")
    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.status == "pending"
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
    response = act(client, "suspendre", [active.id], "")
    page = text(response)
    assert response.status_code == 400
    assert "<h1>Organisations du réseau</h1>" in page and 'id="reason-error"' in page
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


# --- the organisations list (issue 18) ----------------------------------------------------------

def test_organisations_page_searches_filters_sorts_and_pages(db):
    from coordination.auth import services
    coordinator = make_user(coordinator=True)
    names = [f"Association {letter}" for letter in "ABCDE"]
    for name in names:
        make_organisation(name)
    suspended = make_organisation("Médiathèque Zola", kind="mediatheque", status="suspended")
    page = services.organisations_page(actor=coordinator, size=2, page=2)
    assert [o.name for o in page.items] == names[2:4] and (page.pages, page.total) == (3, 6)
    assert [o.name for o in services.organisations_page(actor=coordinator, status="suspended").items] == ["Médiathèque Zola"]
    assert [o.name for o in services.organisations_page(actor=coordinator, kind="mediatheque").items] == ["Médiathèque Zola"]
    assert services.organisations_page(actor=coordinator, status="n'importe").total == 6
    assert [o.name for o in services.organisations_page(actor=coordinator, query="zola").items] == ["Médiathèque Zola"]
    spaced = " ".join([suspended.pivot[:3], suspended.pivot[3:]])  # typed grouped, as shown
    assert [o.id for o in services.organisations_page(actor=coordinator, query=spaced).items] == [suspended.id]
    by_name = services.organisations_page(actor=coordinator, sort="nom", descending=True, size=1)
    assert by_name.items[0].name == "Médiathèque Zola" and by_name.sort == "nom" and by_name.descending
    with pytest.raises(PermissionDenied):
        services.organisations_page(actor=make_member(make_organisation(), role="admin"))


def test_organisations_list_keeps_its_search_and_sort_across_pages(client, signed_in_coordinator, db):
    for number in range(30):
        make_organisation(f"Association {number:02d}")
    page = text(client.get("/coordination/organisations?q=association&tri=nom&ordre=desc"))
    assert "1 à 25 sur 30" in plain(page) and "page 1 sur 2" in plain(page)
    assert 'href="/coordination/organisations?q=association&tri=nom&ordre=desc&page=2"' in page
    assert '<th scope="col" aria-sort="descending">' in page
    assert page.index("Association 29") < page.index("Association 05")
    second = text(client.get("/coordination/organisations?q=association&tri=nom&ordre=desc&page=2"))
    assert "26 à 30 sur 30" in plain(second) and "Association 00" in second and "Association 29" not in second
    assert 'aria-current="page"' in second
    # the action bar comes back to this very page
    assert 'name="next" value="/coordination/organisations?q=association&tri=nom&ordre=desc&page=2"' in second
    # every row ticked by its name, a select-all for the page
    assert 'Cocher « Association 00 »' in plain(second) and 'data-select-all' in second


def test_the_moderation_queue_shows_who_asked_and_numbers_in_french(client, signed_in_coordinator, db):
    """Issue 18: the requester's name and address, what the organisation does, the phone and the SIRET
    as people read them."""
    organisation = make_organisation("Les Ateliers du Clic", status="pending", kind="association",
                                     pivot="73282932000074")
    organisation.contact_phone, organisation.website = "+33228457561", "https://ateliers.exemple.fr"
    organisation.description = "Des ateliers <script>numériques</script> pour tous"
    make_member(organisation, role="admin", email="ines@exemple.fr", name="Inès Dupré")
    db.session.commit()
    response = client.get("/coordination/moderation")
    assert "Des ateliers &lt;script&gt;numériques&lt;/script&gt; pour tous" in response.get_data(as_text=True)
    page = plain(text(response))
    assert "Demandée par" in page and "Inès Dupré" in page and 'href="mailto:ines@exemple.fr"' in page
    assert "Association" in page and 'href="https://ateliers.exemple.fr"' in page
    assert "02 28 45 75 61" in page and "+33228457561</a>" not in page
    assert "732 829 320 00074" in page
