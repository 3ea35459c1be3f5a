"""Real directories, as published, with their flaws (../shared/reference/real-world)."""
import time

import pytest

from coordination.directory.models import Place
from export import france_services, importing
from tests.conftest import make_user

CNFS = "conseillers-numeriques-lieux-2022.mednum-0.1.json"
FRANCE_SERVICES = "france-services-2022-12-01.csv"


@pytest.fixture
def coordinator(db):
    return make_user("coordination@exemple.fr", coordinator=True)


def real_file(reference, name):
    path = reference / "real-world" / name
    if not path.is_file():
        pytest.skip(f"{path} is missing: no real file to import")
    return path


def test_conseillers_numeriques_dry_run_explains_every_rejected_row(reference, coordinator):
    path = real_file(reference, CNFS)
    started = time.perf_counter()
    outcome = importing.check_file(path, actor=coordinator)
    elapsed = time.perf_counter() - started
    plan = outcome.plan
    assert outcome.read.format == "0.1" and plan.rows == 4930
    rejected = plan.rejected_lines
    # every rejected row has at least one error with its column and a French explanation
    for line in rejected:
        errors = [p for p in plan.errors if p.line == line]
        assert errors and all(p.column and p.message and p.reason for p in errors)
    assert plan.to_create + len(rejected) == 4930
    by_reason = dict(plan.rejected_by_reason())
    assert by_reason == {"horaires : valeur invalide": 57, "pivot invalide": 10, "telephone : valeur invalide": 1}
    # six overseas numbers written with the wrong country code (+33594…, +269269…, +33262…) are corrected
    corrected = [p for p in plan.warnings if p.reason == "indicatif d'outre-mer corrigé"]
    assert len(corrected) == 6 and "« +594594341747 »" in corrected[0].message
    summary = "\n".join(importing.summary_lines(outcome))
    assert "Lignes rejetées : 68" in summary and "  - horaires : valeur invalide : 57 lignes" in summary
    # the file's unknown SIRET is a warning, and the places share one pending organisation
    assert sum(1 for p in plan.warnings if p.reason.startswith("SIRET inconnu")) == 2383
    assert Place.query.count() == 0
    assert elapsed < 30, f"dry run of 4,930 rows took {elapsed:.1f} s"


def test_conseillers_numeriques_valid_rows_import_and_reimport_unchanged(reference, coordinator):
    path = real_file(reference, CNFS)
    outcome = importing.apply_file(path, actor=coordinator, skip_invalid=True)
    assert outcome.report.applied and outcome.report.created == 4862
    assert Place.query.count() == 4862
    again = importing.apply_file(path, actor=coordinator, skip_invalid=True)
    assert again.plan.unchanged == 4862 and again.report.created == again.report.updated == 0


def test_france_services_hours_and_phones():
    record = {"h_lundi": "09:00 - 12:00 / 13:30 - 17:00", "h_mardi": "09:00 - 12:00 / 13:30 - 17:00",
              "h_mercredi": "-", "h_jeudi": "09:00-12:00/13:30-17:00", "h_vendredi": "9 :00-12:00",
              "h_samedi": "", "h_dimanche": ""}
    assert france_services.opening_hours(record) == (
        "Mo,Tu 09:00-12:00,13:30-17:00; Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00")
    week = dict.fromkeys(("h_lundi", "h_mardi", "h_mercredi", "h_jeudi"), "08:30 - 12:00")
    assert france_services.opening_hours(week) == "Mo-Th 08:30-12:00"
    with pytest.raises(france_services.HoursError):
        france_services.opening_hours({"h_lundi": "09:00 - 12:00 / 13:30"})
    assert france_services.phone("04 50 56 87 49") == "+33450568749"
    assert france_services.phone("0262 12 34 56") == "+262262123456"


def test_france_services_list_is_detected_and_converted(reference, coordinator):
    path = real_file(reference, FRANCE_SERVICES)
    started = time.perf_counter()
    outcome = importing.check_file(path, actor=coordinator)
    elapsed = time.perf_counter() - started
    plan = outcome.plan
    assert outcome.read.format == "france-services" and plan.rows == 2683
    first = next(p for p in plan.places if p.row_id == "france-services-1")
    assert first.values["opening_hours"] == "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00"
    assert first.values["phone"] == "+33450568749"
    assert first.values["programmes"] == ["France Services"] and first.values["typology"] == ["RFS"]
    assert first.updated_at.date().isoformat() == "2022-12-01"
    assert plan.to_create + len(plan.rejected_lines) == 2683
    assert plan.to_create > 2500, plan.rejected_by_reason()
    assert elapsed < 30
