"""Who may see and do what: anonymous, member of A, admin of A, member of B, a coordinator who is a
member of no organisation, and a coordinator who is also a genuine member of A, on every partner and
coordination URL. Refusals are enforced by services, so crafted requests fail too."""
import secrets

import pytest

from coordination.auth.models import Invitation, Membership, Organisation, OrganisationImport
from coordination.directory.models import NetworkLabel, Place
from coordination.testing.factories import make_member, make_organisation, make_place, make_user

ROLES = ("anonymous", "member_a", "admin_a", "member_b", "coordinator", "coordinator_member_a")


@pytest.fixture
def every_role(db):
    org_a = make_organisation("Association Numérique Pour Tous")
    org_b = make_organisation("Médiathèque de Rezé", kind="mediatheque")
    pending = make_organisation("Centre social en attente", status="pending", kind="centre_social")
    users = {
        "member_a": make_member(org_a, role="member"),
        "admin_a": make_member(org_a, role="admin"),
        "member_b": make_member(org_b, role="admin"),
        "coordinator": make_user(coordinator=True),
        "coordinator_member_a": make_member(org_a, role="member", coordinator=True),
    }
    place_a = make_place(org_a, name="Espace numérique Bellevue")
    record = OrganisationImport(actor_id=users["coordinator"].id, file_name="lieux.csv", publication="pending",
                                notify=False, organisations_created=1)
    db.session.add(record)
    db.session.flush()
    imported = make_organisation("Structure importée", status="pending")
    imported.import_id = record.id
    label = NetworkLabel(code="accepte-le-pass-numerique", name="Accepte le Pass numérique")
    db.session.add(label)
    db.session.commit()
    return {"org_a": org_a, "org_b": org_b, "pending": pending, "users": users, "place_a": place_a,
            "import": record, "imported": imported, "label": label}


def as_role(client, login, every_role, role):
    if role != "anonymous":
        login(every_role["users"][role])
    return client


def expected(role, allowed):
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 403


COORDINATORS = {"coordinator", "coordinator_member_a"}
PARTNERS = {"member_a", "admin_a", "member_b"} | COORDINATORS
A_SIDE = {"member_a", "admin_a"} | COORDINATORS
COORDINATION = COORDINATORS

PAGES = [
    ("/espace-partenaire", PARTNERS),
    ("/organisations/{org_a}/membres", A_SIDE),
    ("/organisations/{org_a}/bienvenue", {"member_a", "admin_a", "coordinator_member_a"}),
    ("/espace-partenaire/organisations/{org_a}/lieux/nouveau", A_SIDE),
    ("/espace-partenaire/lieux/{place_a}/modifier", A_SIDE),
    ("/espace-partenaire/lieux/{place_a}/supprimer", A_SIDE),
    ("/coordination", COORDINATION),
    ("/coordination/organisations", COORDINATION),
    ("/coordination/lieux", COORDINATION),
    ("/coordination/labels", COORDINATION),
    ("/coordination/labels/{label}/modifier", COORDINATION),
    ("/coordination/tableau-de-bord", COORDINATION),
    ("/coordination/moderation", COORDINATION),
    ("/coordination/fraicheur", COORDINATION),
    ("/coordination/orientations", COORDINATION),
    ("/coordination/reunions", COORDINATION),
    ("/coordination/reunions/series/apercu?kind=months&nth=2&weekday=TU&months=3&first_date=2030-01-01"
     "&start_time=14:00", COORDINATION),
    ("/coordination/import", COORDINATION),
    ("/coordination/moderation/imports/{import_id}", COORDINATION),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path,allowed", PAGES, ids=[p for p, _ in PAGES])
def test_page_access(client, login, every_role, role, path, allowed):
    client = as_role(client, login, every_role, role)
    url = path.format(org_a=every_role["org_a"].id, place_a=every_role["place_a"].id, import_id=every_role["import"].id,
                      label=every_role["label"].id)
    response = client.get(url)
    assert response.status_code == expected(role, allowed)
    if response.status_code == 302:
        assert "/connexion" in response.headers["Location"]


def test_unpublished_place_page_is_hidden_from_the_public_and_from_other_partners(client, login, every_role, db):
    place = every_role["place_a"]
    place.published = False
    db.session.commit()
    url = f"/lieux/{place.public_id}"
    assert client.get(url).status_code == 404
    login(every_role["users"]["member_b"])
    assert client.get(url).status_code == 404
    login(every_role["users"]["member_a"])
    assert client.get(url).status_code == 200


CRAFTED_PLACE_POSTS = [
    ("/espace-partenaire/lieux/{id}/modifier", {"name": "Piraté", "version": "1"}),
    ("/espace-partenaire/lieux/{id}/publication", {"published": "0"}),
    ("/espace-partenaire/lieux/{id}/confirmer", {}),
    ("/espace-partenaire/lieux/{id}/supprimer", {}),
]


@pytest.mark.parametrize("path,data", CRAFTED_PLACE_POSTS, ids=[p for p, _ in CRAFTED_PLACE_POSTS])
def test_member_of_b_cannot_change_a_place_of_a(client, login, every_role, db, path, data):
    place = every_role["place_a"]
    before = (place.name, place.published, place.verified_at, place.deleted_at, place.version)
    login(every_role["users"]["member_b"])
    response = client.post(path.format(id=place.id), data=data)
    assert response.status_code == 403
    db.session.expire_all()
    place = db.session.get(Place, place.id)
    assert (place.name, place.published, place.verified_at, place.deleted_at, place.version) == before


def test_member_of_b_cannot_create_a_place_for_a(client, login, every_role, db):
    login(every_role["users"]["member_b"])
    response = client.post(f"/espace-partenaire/organisations/{every_role['org_a'].id}/lieux/nouveau",
                           data={"name": "Lieu pirate"})
    assert response.status_code == 403
    assert db.session.query(Place).filter_by(name="Lieu pirate").count() == 0


@pytest.mark.parametrize("role", ["member_a", "member_b"])
def test_non_admins_cannot_invite_or_remove_members_of_a(client, login, every_role, db, role):
    org_a = every_role["org_a"]
    admin_membership = db.session.query(Membership).filter_by(user_id=every_role["users"]["admin_a"].id).one()
    login(every_role["users"][role])
    invite = client.post(f"/organisations/{org_a.id}/membres", data={"email": "x@exemple.fr", "role": "admin"})
    remove = client.post(f"/organisations/{org_a.id}/membres/{admin_membership.id}/retirer")
    assert invite.status_code == 403 and remove.status_code == 403
    assert db.session.query(Invitation).count() == 0
    assert db.session.get(Membership, admin_membership.id) is not None


@pytest.mark.parametrize("role", ["member_a", "admin_a", "member_b"])
def test_only_coordinators_decide_on_organisations(client, login, every_role, db, role):
    pending = every_role["pending"]
    login(every_role["users"][role])
    accept = client.post(f"/coordination/moderation/organisations/{pending.id}/accepter")
    refuse = client.post(f"/coordination/moderation/organisations/{pending.id}/refuser", data={"reason": "Non"})
    suspend = client.post("/coordination/organisations/action",
                          data={"action": "suspendre", "ids": [every_role["org_a"].id], "reason": "Non"})
    withdraw = client.post("/coordination/lieux/action", data={"action": "retirer", "ids": [every_role["place_a"].id]})
    assert {accept.status_code, refuse.status_code, suspend.status_code, withdraw.status_code} == {403}
    db.session.expire_all()
    assert db.session.get(Organisation, pending.id).status == "pending"
    assert db.session.get(Organisation, every_role["org_a"].id).status == "active"
    assert db.session.get(Place, every_role["place_a"].id).published is True


@pytest.mark.parametrize("role", ["member_a", "admin_a", "member_b"])
def test_only_coordinators_define_the_network_labels(client, login, every_role, db, role):
    label = every_role["label"]
    login(every_role["users"][role])
    create = client.post("/coordination/labels", data={"name": "Label pirate"})
    edit = client.post(f"/coordination/labels/{label.id}/modifier", data={"name": "Piraté"})
    deactivate = client.post(f"/coordination/labels/{label.id}/activation", data={"active": "0"})
    assert {create.status_code, edit.status_code, deactivate.status_code} == {403}
    db.session.expire_all()
    assert [(lab.name, lab.active) for lab in db.session.query(NetworkLabel)] == [("Accepte le Pass numérique", True)]


def test_coordinator_may_moderate_a_place_of_any_organisation(client, login, every_role, db):
    login(every_role["users"]["coordinator"])
    response = client.post(f"/espace-partenaire/lieux/{every_role['place_a'].id}/publication", data={"published": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Place, every_role["place_a"].id).published is False


# --- residents' data: only the members of the two organisations of a referral -------------------

SERVICE = "Aide aux démarches administratives"


@pytest.fixture
def referrals(every_role, db):
    """A referral from A to B's place, and one between two organisations nobody above belongs to."""
    from coordination.referrals import services as referral_services
    org_c = make_organisation("Centre social Ouest", kind="centre_social")
    org_d = make_organisation("CCAS de Bouguenais", kind="ccas")
    sender_c = make_member(org_c, role="admin")
    place_b = make_place(every_role["org_b"], name="Médiathèque — espace numérique", services=[SERVICE])
    place_d = make_place(org_d, name="CCAS — accueil numérique", services=[SERVICE])

    def send(organisation, sender, place, first_name):
        data = {"first_name": first_name, "last_name": "Quillebeuf", "phone": "07 61 23 45 89",
                "email": "personne@exemple.fr", "contact_channel": "phone", "language": "fr",
                "need": "Déclarer ses revenus en ligne.", "service": SERVICE, "urgent": False,
                "sender_organisation_id": organisation.id, "consent": True, "consent_method": "oral",
                "submission_key": secrets.token_urlsafe(24)}
        return referral_services.create_referral(place.public_id, data, actor=sender), first_name

    return {"a_to_b": send(every_role["org_a"], every_role["users"]["member_a"], place_b, "Zéphyrine"),
            "c_to_d": send(org_c, sender_c, place_d, "Anatole")}


REFERRAL_READERS = {
    "a_to_b": {"member_a", "admin_a", "member_b", "coordinator_member_a"},
    "c_to_d": set(),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", sorted(REFERRAL_READERS))
def test_a_referral_and_its_person_are_seen_by_the_two_organisations_only(client, login, every_role, referrals,
                                                                           role, which):
    referral, first_name = referrals[which]
    client = as_role(client, login, every_role, role)
    response = client.get(f"/orientations/{referral.uid}")
    if role == "anonymous":
        assert response.status_code == 302
    elif role in REFERRAL_READERS[which]:
        assert response.status_code == 200 and first_name in response.get_data(as_text=True)
    else:
        assert response.status_code in (403, 404)
        assert first_name not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "coordinator_member_a"])
def test_coordinators_never_make_themselves_members(client, login, every_role, db, role):
    """The coordination role grants no membership: not of B, where the coordinator is not a member,
    and not of A as an admin would (the coordinator who is a member of A is a plain member there)."""
    coordinator = every_role["users"][role]
    login(coordinator)
    for organisation in (every_role["org_a"], every_role["org_b"]):
        response = client.post(f"/organisations/{organisation.id}/membres",
                               data={"email": coordinator.email, "role": "admin"})
        assert response.status_code == 403
    assert db.session.query(Invitation).count() == 0


@pytest.mark.parametrize("role", ["member_a", "admin_a", "member_b"])
def test_only_coordinators_decide_on_an_import_in_bulk(client, login, every_role, db, role):
    login(every_role["users"][role])
    url = f"/coordination/moderation/imports/{every_role['import'].id}"
    for action in ("accept", "refuse"):
        response = client.post(url, data={"action": action, "reason": "Non", "expected": "1", "confirmed": "oui"})
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Organisation, every_role["imported"].id).status == "pending"


# --- network meetings (issue 18): the calendar file, « send now », the editor's preview -------------

@pytest.fixture
def a_meeting(every_role, db):
    from datetime import timedelta

    from coordination.core.clock import utcnow
    from coordination.events.models import Meeting, MeetingInvitation
    start = utcnow() + timedelta(days=20)
    meeting = Meeting(title="Réunion du réseau", starts_at=start, ends_at=start + timedelta(hours=2),
                      address="Nantes")
    db.session.add(meeting)
    db.session.add(MeetingInvitation(meeting=meeting, user=every_role["users"]["member_a"],
                                     organisation=every_role["org_a"]))
    db.session.commit()
    return meeting


MEETING_FILE_READERS = {"member_a"} | COORDINATORS  # the people who see the meeting's page


@pytest.mark.parametrize("role", ROLES)
def test_the_meeting_calendar_file_follows_the_meeting_page(client, login, every_role, a_meeting, role):
    client = as_role(client, login, every_role, role)
    page = client.get(f"/reunions/{a_meeting.id}")
    download = client.get(f"/reunions/{a_meeting.id}/agenda.ics")
    if role == "anonymous":
        assert page.status_code == download.status_code == 302
    elif role in MEETING_FILE_READERS:
        assert page.status_code == download.status_code == 200
        assert b"METHOD:PUBLISH" in download.data and download.mimetype == "text/calendar"
    else:
        assert page.status_code == download.status_code == 403
        assert b"BEGIN:VCALENDAR" not in download.data


@pytest.mark.parametrize("role", ["member_a", "admin_a", "member_b"])
def test_only_coordinators_send_invitations_now_or_preview_markdown(client, login, every_role, a_meeting, db, role):
    from coordination.events.models import MeetingInvitation
    login(every_role["users"][role])
    assert client.post(f"/coordination/reunions/{a_meeting.id}/inviter").status_code == 403
    assert client.post("/coordination/reunions/apercu-markdown", data={"text": "**x**"}).status_code == 403
    assert db.session.query(MeetingInvitation).filter(MeetingInvitation.sent_sequence.is_not(None)).count() == 0
