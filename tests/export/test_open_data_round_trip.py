"""The two directions together: what Maillage publishes, Maillage (or another network) imports back
exactly; and a real directory, once imported, is published as a valid file."""
import csv
import json
import shutil

import pytest
from sqlalchemy import delete, update

from coordination.auth.models import Organisation
from coordination.directory.models import Place
from coordination.directory.serializers import STANDARD_FIELDS
from coordination.testing.factories import make_organisation, make_place
from export import publish
from coordination.directory import imports

CSV = "lieux-de-mediation-numerique.csv"
JSON = "lieux-de-mediation-numerique.json"


@pytest.fixture
def complete_places(db):
    """Places that fill every column of the standard, in two organisations."""
    library = make_organisation("Médiathèque de Rezé", kind="mediatheque", pivot="44306184100047")
    association = make_organisation("Association Ordi'Solidaire", pivot="W442001234")
    make_place(library, name="Médiathèque Diderot", address="Place Lucien Le Meut", address_complement="1er étage",
               postcode="44400", commune="Rezé", insee_code="44143", latitude=47.1912, longitude=-1.5695,
               typology=["BIB", "MUNI"], phone="+33240846000", emails=["mediatheque@exemple.fr", "bib@exemple.fr"],
               website="https://mediatheque.exemple.fr", opening_hours="Tu-Fr 10:00-12:30,14:00-18:00; Sa 10:00-17:00",
               summary="Postes en accès libre et ateliers « premiers pas ».",
               description="Ateliers le mardi, aide aux démarches le jeudi ; inscription conseillée.",
               itinerance=["Fixe"], parent_structure="Ville de Rezé",
               services=["Aide aux démarches administratives", "Accès internet et matériel informatique"],
               publics=["Seniors"], specific_support=["Surdité", "Langues étrangères (anglais)"],
               fees=["Gratuit"], programmes=["Conseillers numériques", "France Services"],
               labels=["Formé à « Mon Espace Santé »"], other_labels=["Label Ville amie des aînés"],
               access_modes=["Se présenter", "Téléphoner"], support_modes=["Accompagnement individuel",
                                                                            "Dans un atelier collectif"],
               accessibility_url="https://acceslibre.beta.gouv.fr/app/44-reze/a/bibliotheque/erp/diderot/",
               appointment_url="https://rdv.exemple.fr/diderot")
    make_place(association, name="Bus numérique", address="Place du marché", postcode="44190",
               commune="Clisson", insee_code="44043", latitude=None, longitude=None, itinerance=["Itinérant"],
               services=["Maîtrise des outils numériques du quotidien"], fees=["Payant", "Gratuit sous condition"],
               phone="+262262123456", opening_hours=None)
    return library, association


def records(path, kind):
    if kind == "csv":
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
    else:
        rows = [{key: "" if value is None else str(value) for key, value in row.items()}
                for row in json.loads(path.read_text(encoding="utf-8"))]
    return {row["id"]: row for row in rows}


def empty_directory(db):
    db.session.execute(delete(Place))
    db.session.execute(delete(Organisation))
    db.session.commit()


def activate_every_organisation(db):
    # Imported organisations wait for a coordinator's decision; accept them all to publish again.
    db.session.execute(update(Organisation).values(status="active"))
    db.session.commit()


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_importing_an_export_into_an_empty_directory_reproduces_every_field(
        kind, complete_places, coordinator, db, open_data_dir, tmp_path):
    publish.publish_all()
    exported = tmp_path / (CSV if kind == "csv" else JSON)
    shutil.copy(open_data_dir / exported.name, exported)
    before = records(exported, kind)
    assert len(before) == 2

    empty_directory(db)
    outcome = imports.apply_file(exported, actor=coordinator)
    assert outcome.report.applied, imports.summary_lines(outcome)
    assert outcome.report.created == 2
    activate_every_organisation(db)
    publish.publish_all()

    after = records(open_data_dir / exported.name, kind)
    assert after.keys() == before.keys()
    for public_id, row in before.items():
        for field in STANDARD_FIELDS:
            assert after[public_id][field] == row[field], (public_id, field)


def test_reimporting_the_export_over_the_same_directory_writes_nothing(complete_places, coordinator, db, open_data_dir):
    publish.publish_all()
    changed = {p.id: p.changed_at for p in db.session.scalars(db.select(Place))}
    outcome = imports.apply_file(open_data_dir / CSV, actor=coordinator)
    assert outcome.report.applied
    assert outcome.plan.unchanged == 2 and outcome.report.created == outcome.report.updated == 0
    db.session.expire_all()
    assert {p.id: p.changed_at for p in db.session.scalars(db.select(Place))} == changed


def test_a_real_directory_once_imported_is_published_without_a_schema_error(reference, coordinator, db,
                                                                            open_data_dir):
    from frictionless import Resource, Schema

    path = reference / "real-world" / "conseillers-numeriques-lieux-2022.mednum-0.1.json"
    outcome = imports.apply_file(path, actor=coordinator, skip_invalid=True)
    assert outcome.report.applied
    activate_every_organisation(db)
    manifest = publish.publish_all()
    assert manifest["places"] == outcome.report.created

    descriptor = json.loads((reference / "standard-mediation-num/1.0.1/schema.json").read_text(encoding="utf-8"))
    report = Resource(path=CSV, basepath=str(open_data_dir), schema=Schema.from_descriptor(descriptor)).validate()
    assert report.flatten(["rowNumber", "fieldName", "type", "note"])[:10] == []
    assert report.task.stats["rows"] == outcome.report.created
