"""The partner space, the place form, the coordination list and the public page, through the web."""
import re

import pytest
from sqlalchemy import select

from coordination.audit import AuditRecord
from coordination.directory.models import Place
from coordination.extensions import db as _db
from coordination.testing.factories import make_member, make_organisation, make_place, make_user
from tests.directory.test_place_writes import someone_else_saves_first
from tests.french import plain


def text(response) -> str:
    return plain(response.get_data(as_text=True))


def error_of(html: str, field_id: str) -> str:
    """The error message tied to a field, as a screen reader gets it."""
    match = re.search(rf'<p class="error-message" id="{field_id}-error">([^<]*)</p>', html)
    assert match, f"no error for {field_id}"
    return match[1]


def audit_actions() -> list[str]:
    return [e.action for e in _db.session.scalars(select(AuditRecord).order_by(AuditRecord.id))]


@pytest.fixture
def breil_centre():
    return make_organisation("Centre social du Breil", kind="centre_social")


@pytest.fixture
def admin(breil_centre):
    return make_member(breil_centre, role="admin")


@pytest.fixture
def breil_place(breil_centre):
    return make_place(breil_centre, name="Espace numérique du Breil")


# --- partner space -------------------------------------------------------------------------

def test_anonymous_is_sent_to_login(client, breil_place):
    for url in ("/espace-partenaire", f"/espace-partenaire/lieux/{breil_place.id}/modifier", "/coordination/lieux",
                f"/espace-partenaire/organisations/{breil_place.organisation_id}/lieux/nouveau"):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.location
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/publication", data={"published": "0"})
    assert response.status_code == 302 and "/connexion" in response.location
    assert breil_place.published


def test_partner_home_lists_organisations_and_places(client, login, admin, breil_centre, breil_place):
    login(admin)
    html = text(client.get("/espace-partenaire"))
    assert "Centre social du Breil" in html and "Espace numérique du Breil" in html
    assert "Active" in html and "Publié" in html and "Mis à jour le" in html and "Vérifié ce mois-ci" in html
    assert "Tout est à jour" in html
    assert f"/espace-partenaire/organisations/{breil_centre.id}/lieux/nouveau" in html
    assert f'href="/organisations/{breil_centre.id}/membres"' in html
    assert "Ces informations sont toujours exactes" in html


def test_members_link_only_for_admins(client, login, breil_centre):
    login(make_member(breil_centre, role="member"))
    assert "Gérer les membres" not in text(client.get("/espace-partenaire"))


def test_pending_organisation_cannot_add_places(client, login):
    pending = make_organisation("Association en attente", status="pending")
    login(make_member(pending, role="admin"))
    html = text(client.get("/espace-partenaire"))
    assert "En attente de validation" in html and "en attente de validation par la coordination" in html
    assert "Ajouter un lieu" not in html
    response = client.get(f"/espace-partenaire/organisations/{pending.id}/lieux/nouveau")
    assert response.status_code == 403 and "en attente de validation" in text(response)
    response = client.post(f"/espace-partenaire/organisations/{pending.id}/lieux/nouveau",
                           data={"name": "x"})
    assert response.status_code == 403
    assert _db.session.scalars(select(Place)).all() == []


# --- create / edit -------------------------------------------------------------------------

def test_create_place_through_the_form(client, login, admin, breil_centre, place_form):
    login(admin)
    assert client.get(f"/espace-partenaire/organisations/{breil_centre.id}/lieux/nouveau").status_code == 200
    response = client.post(f"/espace-partenaire/organisations/{breil_centre.id}/lieux/nouveau",
                           data=place_form(hours_extra="PH off", typology=["CS"], other_labels="Label local\nAutre"))
    assert response.status_code == 302, text(response)[:3000]
    breil_place = _db.session.scalar(select(Place).where(Place.name == "Espace numérique du Breil"))
    assert breil_place.opening_hours == "Mo 09:00-12:00,14:00-17:30; PH off"
    assert breil_place.phone == "+33240123456" and breil_place.emails == ["accueil@breil.exemple.fr"]
    assert breil_place.typology == ["CS"] and breil_place.other_labels == ["Label local", "Autre"]
    assert (breil_place.latitude, breil_place.longitude, breil_place.coordinates_source) == (47.2305, -1.5901, "manual")
    assert audit_actions() == ["user.login", "place.create"]
    assert "a été ajouté" in text(client.get("/espace-partenaire"))


def test_edit_form_is_prefilled_including_the_hours_editor(client, login, admin, breil_centre):
    place = make_place(breil_centre, opening_hours="Mo-Fr 09:00-12:00,14:00-17:30; Sa 10:00-12:00; PH off")
    login(admin)
    html = text(client.get(f"/espace-partenaire/lieux/{place.id}/modifier"))
    assert 'id="hours_we_2_end" name="hours_we_2_end" type="time" value="17:30"' in html
    assert 'id="hours_sa_1_start" name="hours_sa_1_start" type="time" value="10:00"' in html
    assert 'id="hours_su_1_start" name="hours_su_1_start" type="time" value=""' in html
    assert re.search(r'<textarea[^>]*id="hours_extra"[^>]*>\s*PH off</textarea>', html)
    assert 'name="version" type="hidden" value="1"' in html
    assert html.count("<h1>") == 1 and "<legend>Lundi</legend>" in html


def test_unrepresentable_hours_go_to_the_advanced_field(client, login, admin, breil_centre):
    place = make_place(breil_centre, opening_hours="Mo 08:00-10:00,11:00-12:00,14:00-16:00")
    login(admin)
    html = text(client.get(f"/espace-partenaire/lieux/{place.id}/modifier"))
    assert re.search(r'id="hours_extra"[^>]*>\s*Mo 08:00-10:00,11:00-12:00,14:00-16:00</textarea>', html)
    assert 'id="hours_mo_1_start" name="hours_mo_1_start" type="time" value=""' in html
    # saving the untouched form keeps the expression
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier", data=_post_data(place))
    assert response.status_code == 302
    assert place.opening_hours == "Mo 08:00-10:00,11:00-12:00,14:00-16:00" and place.version == 1


def _post_data(place, **overrides):
    from tests.directory.conftest import form_data
    return form_data(place, **overrides)


def test_edit_place_through_the_form(client, login, admin, breil_place):
    login(admin)
    data = _post_data(breil_place, name="Espace numérique du Breil-Malville", hours_tu_1_start="", hours_tu_1_end="",
                      hours_tu_2_start="", hours_tu_2_end="")
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=data)
    assert response.status_code == 302
    assert breil_place.name == "Espace numérique du Breil-Malville" and breil_place.version == 2
    assert breil_place.opening_hours == "Mo,We-Fr 09:00-12:00,14:00-17:30"
    assert audit_actions()[-1] == "place.update"


def test_a_partner_may_close_the_place_to_referrals(client, login, admin, breil_place):
    login(admin)
    checkbox = re.search(r'<input[^>]*name="accepts_referrals"[^>]*>',
                         plain(client.get(f"/espace-partenaire/lieux/{breil_place.id}/modifier").get_data(as_text=True)))
    assert checkbox and "checked" in checkbox.group()
    data = _post_data(breil_place)
    del data["accepts_referrals"]  # an unticked box is not sent
    assert client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=data).status_code == 302
    assert breil_place.accepts_referrals is False


BAD_INPUTS = [
    ("postcode", "4400", "Le code postal doit comporter 5 chiffres"),
    ("postcode", "44 0001", "Le code postal doit comporter 5 chiffres"),
    ("insee_code", "4410", "Le code INSEE comporte 5 caractères"),
    ("insee_code", "20004", "Le code INSEE comporte 5 caractères"),
    ("phone", "01 23", "Numéro de téléphone invalide"),
    ("phone", "+44 20 7946 0958", "Seuls les numéros français"),
    ("emails", "accueil@exemple.fr, pas-une-adresse", "Adresse électronique invalide : « pas-une-adresse »"),
    ("website", "pas une adresse", "Adresse web invalide"),
    ("appointment_url", "ftp://rdv.exemple.fr", "Adresse web invalide"),
    ("accessibility_url", "javascript:alert(1)", "Adresse web invalide"),
    ("summary", "é" * 281, "au plus 280 caractères (actuellement 281)"),
    ("latitude", "quarante-sept", "Saisissez un nombre décimal"),
    ("longitude", "200", "comprise entre -180 et 180"),
    ("name", "", "Ce champ est obligatoire."),
    ("hours_extra", "lundi 9h-12h", "Horaires non reconnus"),
]


@pytest.mark.parametrize("name, value, message", BAD_INPUTS)
def test_bad_input_is_explained_next_to_the_field_and_kept(client, login, admin, breil_place, name, value, message):
    login(admin)
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=_post_data(breil_place, **{name: value}))
    assert response.status_code == 400
    html = text(response)
    assert message in error_of(html, name).replace("&#34;", '"').replace("&#39;", "'")
    assert "Le formulaire contient des erreurs" in html
    assert f'aria-describedby="{name}-hint {name}-error"' in html or f'aria-describedby="{name}-error"' in html
    escaped = value.replace("'", "&#39;") if value else ""
    assert escaped in html  # what the person typed is still there
    assert breil_place.version == 1


def test_service_missing_is_explained(client, login, admin, breil_place):
    login(admin)
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=_post_data(breil_place, services=[]))
    assert response.status_code == 400 and "Choisissez au moins un service." in text(response)


def test_bad_hours_range_is_explained_in_the_day(client, login, admin, breil_place):
    login(admin)
    data = _post_data(breil_place, hours_th_1_start="12:00", hours_th_1_end="09:00")
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=data)
    assert response.status_code == 400
    html = text(response)
    # the message is tied to the closing time, the input at fault, and sits under the day
    assert ("Jeudi : la fermeture du créneau 1 (09:00) doit être après son ouverture (12:00)."
            in plain(error_of(html, "hours_th_1_end")))
    assert 'aria-describedby="hours_th_1_end-error" aria-invalid="true" id="hours_th_1_end"' in html
    assert 'aria-invalid="true" id="hours_th_1_start"' not in html
    assert 'name="hours_th_1_start" type="time" value="12:00"' in html
    assert breil_place.opening_hours == "Mo-Fr 09:00-12:00,14:00-17:30"


def test_an_hours_error_in_the_second_slot_is_summarised_with_that_slot(client, login, admin, breil_place):
    login(admin)
    data = _post_data(breil_place, hours_fr_2_start="11:00", hours_fr_2_end="17:00")
    html = plain(text(client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=data)))
    summary = html.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="#hours_fr_2_start">Vendredi, créneau 2 : ouverture</a>' in summary
    assert "le créneau 2 doit commencer après la fin du créneau précédent (12:00)" in summary
    assert "créneau 1" not in summary


def test_user_text_is_escaped(client, login, admin, breil_centre):
    make_place(breil_centre, name="<script>alert(1)</script>", summary="<b>gras</b>")
    login(admin)
    html = text(client.get("/espace-partenaire"))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


# --- conflicts -----------------------------------------------------------------------------

def test_two_edits_from_the_same_version_second_gets_409(client, login, admin, breil_centre, breil_place):
    colleague = make_member(breil_centre)
    first = _post_data(breil_place, name="Version d'Alice")
    second = _post_data(breil_place, name="Version de Bob", phone="02 51 00 00 00")
    login(admin)
    assert client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=first).status_code == 302
    login(colleague)
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=second)
    assert response.status_code == 409
    html = text(response)
    assert "Cette fiche a été modifiée par quelqu'un d'autre pendant que vous la modifiiez" in html
    assert re.search(r"<th scope=\"row\">Nom du lieu</th><td>Version de Bob</td><td>Version d&#39;Alice</td>", html)
    assert "<th scope=\"row\">Téléphone</th>" in html
    assert 'value="Version de Bob"' in html  # what Bob typed is kept
    assert 'name="version" type="hidden" value="2"' in html  # a new save overwrites knowingly
    _db.session.expire_all()
    assert (breil_place.name, breil_place.phone, breil_place.version) == ("Version d'Alice", "+33240000000", 2)
    # Bob saves again after reading the differences
    second["version"] = "2"
    assert client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=second).status_code == 302
    assert breil_place.name == "Version de Bob"


def test_concurrent_commit_gives_409_too(client, login, admin, breil_place, monkeypatch):
    """Someone else's save lands after the form's version was checked, before the write: the write
    refuses it too."""
    login(admin)
    someone_else_saves_first(monkeypatch, breil_place.id)
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier", data=_post_data(breil_place, name="Autre"))
    assert response.status_code == 409
    assert "modifiée par quelqu'un d'autre" in text(response)
    _db.session.expire_all()
    assert breil_place.name != "Autre"


# --- publish, confirm, delete --------------------------------------------------------------

def test_unpublish_and_publish(client, login, admin, breil_place):
    login(admin)
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/publication", data={"published": "0"})
    assert response.status_code == 302 and not breil_place.published
    assert client.get(f"/lieux/{breil_place.public_id}").status_code == 200  # its editors still see it
    client.post(f"/espace-partenaire/lieux/{breil_place.id}/publication", data={"published": "1"})
    assert breil_place.published
    assert audit_actions()[-2:] == ["place.unpublish", "place.publish"]


def test_confirm_accurate(client, login, admin, breil_place):
    before = breil_place.verified_at
    login(admin)
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/confirmer")
    assert response.status_code == 302
    assert breil_place.verified_at > before and audit_actions()[-1] == "place.confirm"
    assert "sont confirmées à jour" in text(client.get("/espace-partenaire"))


def test_delete_asks_for_confirmation_then_deletes(client, login, admin, breil_place):
    login(admin)
    page = client.get(f"/espace-partenaire/lieux/{breil_place.id}/supprimer")
    assert page.status_code == 200 and "Supprimer définitivement" in text(page)
    assert breil_place.deleted_at is None
    assert client.post(f"/espace-partenaire/lieux/{breil_place.id}/supprimer").status_code == 302
    assert breil_place.deleted_at is not None and not breil_place.published
    html = text(client.get("/espace-partenaire"))
    assert "a été supprimé" in html and "<h3>Espace numérique du Breil</h3>" not in html
    assert client.get(f"/lieux/{breil_place.public_id}").status_code == 404
    assert client.get(f"/espace-partenaire/lieux/{breil_place.id}/modifier").status_code == 404


# --- permissions ---------------------------------------------------------------------------

def test_member_of_another_organisation_is_refused_everywhere(client, login, breil_place):
    other = make_member(make_organisation("Autre association"), role="admin")
    login(other)
    base = f"/espace-partenaire/lieux/{breil_place.id}"
    assert client.get(f"{base}/modifier").status_code == 403
    assert client.get(f"{base}/supprimer").status_code == 403
    assert client.get(f"/espace-partenaire/organisations/{breil_place.organisation_id}/lieux/nouveau").status_code == 403
    assert client.post(f"{base}/modifier", data=_post_data(breil_place, name="Piraté")).status_code == 403
    assert client.post(f"{base}/publication", data={"published": "0"}).status_code == 403
    assert client.post(f"{base}/supprimer").status_code == 403
    assert client.post(f"{base}/confirmer").status_code == 403
    assert client.post(f"/espace-partenaire/organisations/{breil_place.organisation_id}/lieux/nouveau",
                       data=_post_data(breil_place, name="Intrus")).status_code == 403
    assert "Accès refusé" in text(client.post(f"{base}/confirmer"))
    _db.session.expire_all()
    assert (breil_place.name, breil_place.published, breil_place.deleted_at, breil_place.version) == ("Espace numérique du Breil", True,
                                                                               None, 1)
    assert len(_db.session.scalars(select(Place)).all()) == 1
    assert "place." not in " ".join(audit_actions())


def test_coordinator_moderates_every_place(client, login, breil_place):
    coordinator = make_user(coordinator=True)
    hidden = make_place(make_organisation("Autre"), name="Lieu masqué", published=False)
    login(coordinator)
    html = text(client.get("/coordination/lieux"))
    assert "Espace numérique du Breil" in html and "Lieu masqué" in html
    html = text(client.get("/coordination/lieux?publie=non"))
    assert "Lieu masqué" in html and "Espace numérique du Breil" not in html
    html = text(client.get(f"/coordination/lieux?organisation={breil_place.organisation_id}"))
    assert "Lieu masqué" not in html
    assert f"/espace-partenaire/lieux/{breil_place.id}/modifier?next=/coordination/lieux" in text(
        client.get("/coordination/lieux"))
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/modifier?next=/coordination/lieux",
                           data=_post_data(breil_place, summary="Corrigé par la coordination"))
    assert response.status_code == 302 and response.location.endswith("/coordination/lieux")
    response = client.post(f"/espace-partenaire/lieux/{hidden.id}/publication?next=/coordination/lieux",
                           data={"published": "1"})
    assert response.location.endswith("/coordination/lieux")
    assert breil_place.summary == "Corrigé par la coordination" and hidden.published
    records = _db.session.scalars(select(AuditRecord).where(AuditRecord.action.like("place.%"))
                                  .order_by(AuditRecord.id)).all()
    assert [(e.action, e.actor_id) for e in records] == [("place.update", coordinator.id),
                                                        ("place.publish", coordinator.id)]


def test_partners_cannot_open_the_coordination_list(client, login, admin):
    login(admin)
    assert client.get("/coordination/lieux").status_code == 403


def test_next_parameter_cannot_leave_the_site(client, login, admin, breil_place):
    login(admin)
    response = client.post(f"/espace-partenaire/lieux/{breil_place.id}/confirmer?next=https://evil.example")
    assert response.location.endswith("/espace-partenaire")


# --- public pages --------------------------------------------------------------------------

def test_public_page_shows_the_listing_in_french(client, breil_centre):
    place = make_place(breil_centre, name="Médiathèque Lisa Bresner", opening_hours="Mo-Fr 09:00-12:00,14:00-17:30; PH off",
                       website="https://mediatheque.exemple.fr", publics=["Seniors"], typology=["BIB"])
    html = text(client.get(f"/lieux/{place.public_id}")).replace("\u00a0", " ")
    assert "<h1>Médiathèque Lisa Bresner</h1>" in html
    assert "Lundi au vendredi : 9 h – 12 h, 14 h – 17 h 30" in html and "Fermé les jours fériés" in html
    assert "02 40 00 00 00" in html and 'href="tel:+33240000000"' in html
    assert "Publics spécifiquement adressés" in html and "Seniors" in html
    assert "Bibliothèque / Médiathèque" in html and "Mis à jour le" in html
    assert "Modifier cette fiche" not in html


def test_public_page_is_404_for_unpublished_places_and_suspended_organisations(client, breil_centre):
    unpublished = make_place(breil_centre, published=False)
    response = client.get(f"/lieux/{unpublished.public_id}")
    assert response.status_code == 404 and "n'est plus publiée" in text(response)
    suspended = make_place(make_organisation(status="suspended"))
    assert client.get(f"/lieux/{suspended.public_id}").status_code == 404
    assert client.get("/lieux/00000000-0000-0000-0000-000000000000").status_code == 404


def test_home_links_each_published_place(client, breil_place, breil_centre):
    make_place(breil_centre, name="Lieu non publié", published=False)
    html = text(client.get("/"))
    assert f'href="/lieux/{breil_place.public_id}"' in html and "Lieu non publié" not in html


def test_network_places_list_is_paged_and_keeps_its_filters(client, login, db):
    """Issue 18: /coordination/lieux shows a page at a time; the pager and the column headers keep the
    search and the filters."""
    organisation = make_organisation("Réseau Test")
    for number in range(30):
        make_place(organisation, name=f"Lieu {number:02d}", commune="Nantes", published=number % 2 == 0)
    make_place(organisation, name="Ailleurs", commune="Rezé")
    login(make_user(coordinator=True))
    html = text(client.get(f"/coordination/lieux?q=nantes&organisation={organisation.id}&publie=oui&tri=nom"))
    assert "15 lieux" in plain(html) and "Ailleurs" not in html and "Lieu 01" not in html
    html = text(client.get(f"/coordination/lieux?q=nantes&organisation={organisation.id}&tri=nom"))
    assert "1 à 25 sur 30" in plain(html) and "Lieu 24" in html and "Lieu 25" not in html
    assert (f'href="/coordination/lieux?q=nantes&amp;organisation={organisation.id}&amp;tri=nom&amp;page=2"'
            in html)
    assert f'href="/coordination/lieux?q=nantes&amp;organisation={organisation.id}&amp;tri=commune"' in html
    assert 'value="nantes"' in html and '<input type="hidden" name="tri" value="nom">' in html
    html = text(client.get(f"/coordination/lieux?q=nantes&organisation={organisation.id}&tri=nom&page=2"))
    assert "Lieu 29" in html and "Lieu 00" not in html


def test_the_places_action_bar_publishes_and_withdraws_the_rows_ticked(client, login, db):
    organisation = make_organisation("Réseau Test")
    shown, hidden, other = (make_place(organisation, name=name, published=published)
                            for name, published in (("Visible", True), ("Masqué", False), ("Autre", True)))
    login(make_user(coordinator=True))
    back = f"/coordination/lieux?organisation={organisation.id}&tri=nom"
    response = client.post("/coordination/lieux/action", data={"action": "retirer", "ids": [shown.id, hidden.id],
                                                                "next": back})
    assert response.status_code == 302 and response.location == back
    assert "1 lieu retiré de l'annuaire." in plain(text(client.get(back)))
    _db.session.expire_all()
    assert [p.published for p in (shown, hidden, other)] == [False, False, True]
    client.post("/coordination/lieux/action", data={"action": "publier", "ids": [shown.id, hidden.id]})
    _db.session.expire_all()
    assert [p.published for p in (shown, hidden)] == [True, True]


def test_a_refused_places_action_keeps_the_rows_ticked_and_its_links_lead_to_the_list(client, login, db):
    organisation = make_organisation("Réseau Test")
    for number in range(30):
        make_place(organisation, name=f"Lieu {number:02d}")
    login(make_user(coordinator=True))
    response = client.post("/coordination/lieux/action", data={"ids": ["1"]})
    html = text(response)
    assert response.status_code == 400 and "Choisissez de publier ou de retirer de l'annuaire." in plain(html)
    assert 'id="select-1" checked' in html
    assert 'href="/coordination/lieux?page=2"' in html and "/coordination/lieux/action?" not in html
    html = text(client.post("/coordination/lieux/action", data={"action": "publier"}))
    assert "Cochez au moins un lieu dans la liste." in plain(html)
