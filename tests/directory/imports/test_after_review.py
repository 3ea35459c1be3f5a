"""The import after review: per-row long summaries, the size limit option, the report's order,
the upload staging, JSON header problems, overseas phones and duplicates by similar name."""
import json
import os

import pytest

from coordination.directory import imports, serializers
from coordination.directory.models import Place
from coordination.testing.factories import make_organisation, make_place
from coordination.directory.imports import importing, plan
from tests.directory.imports.helpers import csv_text, problems_of, row
from tests.french import plain

LONG = ("Un lieu ouvert à tous pour apprendre le numérique pas à pas " * 8).strip()  # about 470 characters


# --- 1. the long summary is decided once per row ----------------------------------------------------

def test_a_long_summary_stays_with_its_own_row_in_json(coordinator, write):
    assert len(LONG) > serializers.SUMMARY_MAX
    rows = [row(id="a", presentation_resume=LONG), row(id="b", nom="Autre lieu", presentation_resume="Court.",
                                                         presentation_detail="Détail de B.")]
    read = imports.read_bytes(json.dumps(rows).encode())
    a, b = (r.record for r in read.rows)
    assert a["presentation_resume"] == serializers.cut_at_word(LONG)
    assert a["presentation_detail"] == LONG
    assert b["presentation_resume"] == "Court." and b["presentation_detail"] == "Détail de B."


def test_a_long_summary_is_kept_without_a_detail_column(coordinator, write):
    header = [c for c in serializers.STANDARD_FIELDS if c != "presentation_detail"]
    read = imports.read_bytes(csv_text([row(presentation_resume=LONG), row(id="lieu-2", nom="Lieu 2")],
                                       header=header).encode())
    plan = imports.plan_import(read.rows, actor=coordinator)
    assert not plan.has_errors, plan.problems
    first, second = (p.values for p in plan.places)
    assert first["summary"] == serializers.cut_at_word(LONG) and first["description"] == LONG
    assert "description" not in second  # no column, no long summary: the stored detail is left alone


def test_a_long_summary_goes_before_the_detail(coordinator, write):
    read = imports.read_bytes(csv_text([row(presentation_resume=LONG, presentation_detail="Suite.")]).encode())
    record = read.rows[0].record
    assert record["presentation_detail"] == f"{LONG}\n\nSuite."
    assert [p.reason for p in read.rows[0].problems] == ["présentation résumée trop longue"]


# --- 2. the size limit of the command line ----------------------------------------------------------

def test_cli_size_limit_can_be_raised_for_one_run(coordinator, runner, write, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1000)
    path = write(csv_text([row(id=f"l{i}", nom=f"Lieu {i}") for i in range(5)]))
    refused = runner.invoke(args=["opendata", "import", str(path), "--dry-run", "--as", coordinator.email])
    assert refused.exit_code == 1 and "la limite est de 1\u00a0000 octets" in plain(refused.output)
    accepted = runner.invoke(args=["opendata", "import", str(path), "--dry-run", "--as", coordinator.email,
                                   "--taille-max-mo", "1"])
    assert accepted.exit_code == 0, plain(accepted.output)
    assert "Lieux à créer : 5" in plain(accepted.output)
    help_text = runner.invoke(args=["opendata", "import", "--help"]).output
    assert "--taille-max-mo" in help_text and "Taille maximale" in help_text


def test_the_command_line_reuses_check_file_and_apply_file(coordinator, runner, write, monkeypatch):
    calls = []
    real_check, real_apply = importing.check_file, importing.apply_file
    monkeypatch.setattr(importing, "check_file", lambda *a, **k: calls.append("check") or real_check(*a, **k))
    monkeypatch.setattr(importing, "apply_file", lambda *a, **k: calls.append("apply") or real_apply(*a, **k))
    path = write(csv_text([row()]))
    assert runner.invoke(args=["opendata", "import", str(path), "--dry-run", "--as", coordinator.email]).exit_code == 0
    assert runner.invoke(args=["opendata", "import", str(path), "--as", coordinator.email]).exit_code == 0
    assert calls == ["check", "apply"]


# --- 3. the report: errors first, then warnings by reason -------------------------------------------

def test_report_sections_put_errors_first_and_count_warnings(coordinator, write):
    rows = [row(id=f"l{i}", nom=f"Lieu {i}", date_maj="15/03/2024") for i in range(30)]
    rows.append(row(id="mauvais", nom="Mauvais", latitude="-47.2305"))
    outcome = imports.check_file(write(csv_text(rows)), actor=coordinator)
    sections = imports.report_sections(outcome, limit=10)
    assert [p.column for p in sections.errors] == ["latitude"]
    assert sections.warnings_by_reason == [("date JJ/MM/AAAA", 30)]
    assert len(sections.warnings) == 9 and sections.hidden == 21


# --- 6. JSON header problems, overseas phones -------------------------------------------------------

def test_a_json_header_problem_is_not_object_zero(coordinator, write):
    path = write(json.dumps([{**row(), "colonne_inconnue": "x"}]), name="lieux.json")
    outcome = imports.check_file(path, actor=coordinator)
    [header] = [p for p in outcome.problems if p.reason == "colonnes ignorées"]
    line = imports.problem_line(header, json_file=True)
    assert line.startswith("fichier [avertissement]") and "objet n° 0" not in line
    assert imports.problem_where(header, json_file=False) == "en-tête"


@pytest.mark.parametrize(("written", "stored"), [
    ("+33594341747", "+594594341747"),  # French Guiana with the metropolitan prefix
    ("+269269662010", "+262269662010"),  # Mayotte with the Comoros prefix
    ("+33262711515", "+262262711515"),  # La Réunion with the metropolitan prefix
])
def test_overseas_phones_with_the_wrong_country_code_are_corrected(coordinator, write, written, stored):
    path = write(csv_text([row(telephone=written)]))
    outcome = imports.check_file(path, actor=coordinator)
    assert not outcome.has_errors, outcome.problems
    assert imports.apply_file(path, actor=coordinator).report.applied
    assert Place.query.one().phone == stored
    [warning] = problems_of(outcome, "warning")
    assert warning.column == "telephone" and stored in plain(warning.message)


def test_a_valid_number_is_never_corrected(coordinator, write):
    outcome = imports.apply_file(write(csv_text([row(telephone="+33695714278")])), actor=coordinator)
    assert Place.query.one().phone == "+33695714278" and not outcome.problems


# --- 7. duplicates: close name + address + distance -------------------------------------------------

def duplicates(outcome) -> set:
    return {(d.row_id, d.other_id) for d in outcome.plan.duplicates}


def test_same_pivot_and_a_close_name(coordinator, write):
    organisation = make_organisation(pivot="73282932000074")
    existing = make_place(organisation, name="Espace numérique du Breil")
    rows = [row(id="inverse", nom="Breil : espace numérique", latitude="", longitude=""),
            row(id="autre", nom="Médiathèque du Breil", latitude="", longitude="")]
    outcome = imports.check_file(write(csv_text(rows)), actor=coordinator)
    assert duplicates(outcome) == {("inverse", existing.public_id)}


def test_close_name_same_postcode_and_near(coordinator, write):
    organisation = make_organisation(pivot="73282932000074")
    existing = make_place(organisation, name="Espace numérique du quartier Breil", postcode="44100",
                          latitude=47.2305, longitude=-1.5901)
    near = row(id="proche", nom="Espace public numérique du quartier Breil", pivot="35600000000048",
               adresse="1 place du Breil", latitude="47.2310", longitude="-1.5905")
    far = row(id="loin", nom="Espace public numérique du quartier Breil", pivot="44306184100047",
              adresse="3 avenue loin", latitude="47.30", longitude="-1.50")
    outcome = imports.check_file(write(csv_text([near, far])), actor=coordinator)
    assert ("proche", existing.public_id) in duplicates(outcome)
    assert not any(d.row_id == "loin" and d.other_id == existing.public_id for d in outcome.plan.duplicates)


def test_same_address_postcode_and_close_name_without_coordinates(coordinator, write):
    rows = [row(id="a", nom="Maison France Services de Clisson", adresse="2 Rue de la Gare", latitude="",
                longitude=""),
            row(id="b", nom="France Services Clisson maison", pivot="35600000000048", adresse="2, rue de la gare",
                latitude="", longitude=""),
            row(id="c", nom="France Services Clisson maison", pivot="44306184100047", adresse="9 rue haute",
                latitude="", longitude="")]
    outcome = imports.check_file(write(csv_text(rows)), actor=coordinator)
    assert duplicates(outcome) == {("b", "a")}
    assert "même adresse" in outcome.plan.duplicates[0].reason


def test_duplicate_detection_does_not_compare_every_pair(coordinator, write, monkeypatch):
    calls = []
    similar = plan.similar_names
    monkeypatch.setattr(plan, "similar_names", lambda a, b: calls.append(1) or similar(a, b))
    rows = [row(id=f"l{i}", nom=f"Conseiller numérique mairie de Ville{i}", latitude="", longitude="")
            for i in range(1500)]
    outcome = imports.check_file(write(csv_text(rows)), actor=coordinator)
    assert outcome.plan.to_create == 1500 and not outcome.plan.duplicates
    assert len(calls) < 3 * 1500


# --- 4 and 5. the upload staging ---------------------------------------------------------------------

class Upload:
    def __init__(self, content: bytes, filename="lieux.csv"):
        import io
        self.stream, self.filename = io.BytesIO(content), filename


@pytest.fixture
def staging():
    from coordination.directory.imports import staging
    return staging


@pytest.fixture
def instance(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path / "instance" / "imports"))
    return tmp_path / "instance"


def test_uploads_are_private_to_this_user(coordinator, instance, staging):
    staged = staging.stage_upload(Upload(csv_text([row()]).encode()), actor=coordinator)
    assert not staged.outcome.has_errors and staged.clean
    folder = staging.upload_folder()
    assert folder.parent == instance and staged.path.parent.parent == folder
    for path in (folder, staged.path.parent):
        status = os.stat(path)
        assert status.st_mode & 0o777 == 0o700 and status.st_uid == os.getuid()
    outcome = staging.apply_staged(staged.token, actor=coordinator, session_record=staged.session_record())
    assert outcome.report.applied and not staged.path.exists()


def test_a_folder_owned_by_someone_else_is_refused(coordinator, instance, monkeypatch, staging):
    staging.upload_folder()
    someone_else = os.getuid() + 1
    monkeypatch.setattr(staging.os, "getuid", lambda: someone_else)
    with pytest.raises(RuntimeError, match="n'appartient pas"):
        staging.upload_folder()


def test_a_staged_file_needs_the_same_session_and_content(coordinator, instance, staging):
    staged = staging.stage_upload(Upload(csv_text([row()]).encode()), actor=coordinator)
    record = staged.session_record()
    assert staging.apply_staged("autre", actor=coordinator, session_record=record) is None
    staged.path.write_text(csv_text([row(nom="Remplacé")]))
    assert staging.apply_staged(staged.token, actor=coordinator, session_record=record) is None
