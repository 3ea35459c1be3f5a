"""`flask demo seed`: a believable, valid, deterministic network around Nantes."""
import re

import opening_hours
from sqlalchemy import func, select
from stdnum.fr import siret

from coordination.auth.models import Membership, Organisation, User
from coordination.directory.models import Place
from coordination.extensions import db as _db
from coordination.vocabularies import ORGANISATION_KINDS, PLACE_VOCABULARIES

PHONE = re.compile(r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$")


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def test_seed_creates_a_valid_network_and_is_a_no_op_the_second_time(runner, client):
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "coordination@demo.maillage.fr" in result.output and "demo-maillage-44" in result.output

    organisations = _db.session.scalars(select(Organisation)).all()
    assert len(organisations) >= 15
    assert {o.kind for o in organisations} == set(ORGANISATION_KINDS)
    assert [o.status for o in organisations].count("pending") == 1
    assert all(siret.is_valid(o.pivot) or re.fullmatch(r"W\d{9}", o.pivot) for o in organisations)

    places = _db.session.scalars(select(Place)).all()
    assert 55 <= len(places) <= 65
    assert len({p.commune for p in places}) >= 20
    for place in places:
        opening_hours.OpeningHours(place.opening_hours)
        assert PHONE.match(place.phone), place.phone
        assert re.fullmatch(r"44\d{3}", place.postcode) and re.fullmatch(r"44\d{3}", place.insee_code)
        assert 46.8 < place.latitude < 47.85 and -2.6 < place.longitude < -1.0
        assert place.services and len(place.summary) <= 280
        for name, (values, _, _) in PLACE_VOCABULARIES.items():
            assert set(getattr(place, name)) <= set(values), (name, getattr(place, name))
    assert {tuple(p.itinerance) for p in places} == {("Fixe",), ("Itinérant",)}

    users = count(User)
    coordinator = _db.session.scalar(select(User).where(User.email == "coordination@demo.maillage.fr"))
    assert coordinator.is_coordinator and coordinator.check_password("demo-maillage-44")
    assert {m.role for m in _db.session.scalars(select(Membership))} == {"admin", "member"}

    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert again.exit_code == 0 and "existent déjà" in again.output
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0 and "existe déjà" in again.output
    assert (count(Organisation), count(Place), count(User)) == (len(organisations), len(places), users)

    # the demo accounts work
    response = client.post("/connexion", data={"email": "maelle.guerin@demo.maillage.fr",
                                               "password": "demo-maillage-44"})
    assert response.status_code == 302
    assert "Les Connecteurs de l’Erdre" in client.get("/espace-partenaire").get_data(as_text=True)
    assert len(re.findall(r'<li class="card">', client.get("/").get_data(as_text=True))) == 6  # the landing shows a few


def test_seed_is_deterministic(runner):
    runner.invoke(args=["demo", "seed"])
    first = [(p.name, p.address, p.phone, p.latitude, p.opening_hours)
             for p in _db.session.scalars(select(Place).order_by(Place.id))]
    _db.session.query(Membership).delete()
    _db.session.query(Place).delete()
    _db.session.query(Organisation).delete()
    _db.session.execute(_db.text("DELETE FROM audit_records"))
    _db.session.query(User).delete()
    _db.session.commit()
    runner.invoke(args=["demo", "seed"])
    second = [(p.name, p.address, p.phone, p.latitude, p.opening_hours)
              for p in _db.session.scalars(select(Place).order_by(Place.id))]
    assert first == second


def test_if_empty_does_nothing_when_organisations_exist(runner):
    from coordination.testing.factories import make_organisation
    make_organisation()
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "existent déjà" in result.output and count(Place) == 0
