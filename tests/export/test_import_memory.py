"""Memory that does not grow with the file (issue 15, item 6): once a row is planned, its raw
record is let go, and the cleaner does not remember every name, address and text of the file."""
from coordination.directory import imports
from export import importing
from tests.export.test_import import csv_text, row, write  # noqa: F401 (write is a fixture)


def test_planned_rows_let_their_record_go_and_rejected_rows_keep_it(coordinator, write):  # noqa: F811
    path = write(csv_text([row(id="lieu-1"), row(id="lieu-2", nom="Autre lieu", latitude="", longitude="",
                                                 adresse="", commune="", code_postal="", code_insee=""),
                           row(id="lieu-3", nom="Troisième lieu")]))
    outcome = importing.check_file(path, actor=coordinator)
    assert outcome.plan.rejected_lines == [3]
    records = {r.line: r.record for r in outcome.read.rows}
    assert records[2] == {} and records[4] == {}
    assert records[3]["nom"] == "Autre lieu"  # the report may still show a rejected row
    assert [p.values["name"] for p in outcome.plan.places] == ["Espace numérique du Breil", "Troisième lieu"]


def test_the_import_still_writes_every_planned_place_after_letting_records_go(coordinator, write):  # noqa: F811
    path = write(csv_text([row(id=f"lieu-{n}", nom=f"Lieu numéro {n}", pivot="73282932000074")
                           for n in range(1, 6)]))
    outcome = importing.apply_file(path, actor=coordinator)
    assert outcome.report.applied and outcome.report.created == 5
    assert all(r.record == {} for r in outcome.read.rows)


def test_the_cleaner_does_not_remember_names_addresses_and_texts():
    clean = imports._Cleaner()
    for n in range(50):
        clean("name", f"Lieu {n}")
        clean("address", f"{n} rue de la Mairie")
        clean("description", f"Texte {n}")
    clean("opening_hours", "Mo-Fr 09:00-12:00")
    clean("opening_hours", "Mo-Fr 09:00-12:00")
    assert {key[0] for key in clean.memo} == {"opening_hours"}
