"""Real directories, as published, with their flaws (../shared/reference/real-world)."""
from collections import Counter

import pytest

from coordination.directory import imports
from coordination.directory.models import Place
from coordination.directory.imports import france_services
from tests.directory.imports.helpers import real_file
from tests.french import plain

CNFS = "conseillers-numeriques-lieux-2022.mednum-0.1.json"
FRANCE_SERVICES = "france-services-2022-12-01.csv"


def test_conseillers_numeriques_dry_run_keeps_every_place(reference, coordinator):
    """Before issue 15, 68 places valid against the official schema were rejected (57 OSM hours no parser
    accepts, 10 SIRETs with a bad checksum, 1 phone): each value is now dropped with a warning."""
    path = real_file(reference, CNFS)
    outcome = imports.check_file(path, actor=coordinator)
    plan = outcome.plan
    assert outcome.read.format == "0.1" and plan.rows == 4930
    assert plan.rejected_lines == [] and plan.to_create == 4930
    dropped = Counter(plain(p.reason) for p in plan.warnings if "laissée de côté" in plain(p.reason) or "pivot" in plain(p.reason))
    assert dropped["horaires : valeur invalide laissée de côté"] == 57
    assert dropped["telephone : valeur invalide laissée de côté"] == 1
    assert dropped["pivot invalide : lieu rattaché aux structures sans SIRET"] == 10
    for problem in plan.warnings:  # every dropped value is named, with its line and column
        if "laissée de côté" in plain(problem.reason):
            assert problem.line > 1 and problem.column and "« " in plain(problem.message)
    # six overseas numbers written with the wrong country code (+33594…, +269269…, +33262…) are corrected
    corrected = [p for p in plan.warnings if plain(p.reason) == "indicatif d'outre-mer corrigé"]
    assert len(corrected) == 6 and "« +594594341747 »" in plain(corrected[0].message)
    summary = "\n".join(plain(imports.summary_lines(outcome)))
    assert "Lignes rejetées : 0" in summary and "rien n'a été importé" not in summary
    # the file's unknown SIRET is a warning, and the places share one pending organisation
    assert sum(1 for p in plan.warnings if plain(p.reason).startswith("SIRET inconnu")) == 2383
    assert Place.query.count() == 0


def test_conseillers_numeriques_every_place_imports_and_reimports_unchanged(reference, coordinator):
    path = real_file(reference, CNFS)
    outcome = imports.apply_file(path, actor=coordinator)  # no --skip-invalid needed any more
    assert outcome.report.applied and outcome.report.created == 4930
    assert Place.query.count() == 4930
    again = imports.apply_file(path, actor=coordinator)
    assert again.plan.unchanged == 4930 and again.report.created == again.report.updated == 0


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
    outcome = imports.check_file(path, actor=coordinator)
    plan = outcome.plan
    assert outcome.read.format == "france-services" and plan.rows == 2683
    listed = imports.plan_import(imports.read_path(path).rows, actor=coordinator)  # keeps each row's values
    first = next(p for p in listed.places if p.row_id == "france-services-1")
    assert first.values["opening_hours"] == "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00"
    assert first.values["phone"] == "+33450568749"
    assert first.values["programmes"] == ["France Services"] and first.values["typology"] == ["RFS"]
    assert first.updated_at.date().isoformat() == "2022-12-01"
    assert plan.to_create + len(plan.rejected_lines) == 2683
    # before issue 15: 2,652 (4 e-mails such as « mfs@ville-louvres » and one INSEE code « 0null » cost
    # their place); only the 26 rows with neither name of a commune, nor address, nor coordinates are left
    assert plan.to_create == 2657, plan.rejected_by_reason()
    assert dict(plan.rejected_by_reason()) == {"adresse : vide": 26, "code_postal : vide": 26, "commune : vide": 26}
    dropped = [p for p in plan.warnings if plain(p.reason) == "courriels : valeur invalide laissée de côté"]
    assert len(dropped) == 4 and any("« mfs@ville-louvres »" in plain(p.message) for p in dropped)
