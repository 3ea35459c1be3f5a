"""Memory that does not grow with the file (issue 15, item 6): a CSV is read from the disk one line at
a time (twice: a first pass checks every line), each planned place lets its values go once written,
and places are written in batches inside the one transaction, which still holds all or nothing."""
import tracemalloc

from coordination.directory.imports import plan
from coordination.directory.models import Place
from coordination.directory import imports
from tests.directory.imports.helpers import csv_text, row
from tests.french import plain


def places_of(count: int, prefix: str = "lieu", **values) -> list[dict]:
    return [row(id=f"{prefix}-{n}", nom=f"Lieu numéro {n}", pivot="73282932000074", **values)
            for n in range(1, count + 1)]


def test_a_csv_is_read_from_the_disk_row_by_row_and_can_be_read_again(write):
    read = imports.stream_path(write(csv_text(places_of(3))))
    assert read.rows == [] and read.row_count == 3  # counted by the first pass, never held
    assert [r.record["nom"] for r in read.iter_rows()] == ["Lieu numéro 1", "Lieu numéro 2", "Lieu numéro 3"]
    assert [r.line for r in read.iter_rows()] == [2, 3, 4]
    assert read.name_counts["numero"] == 3


def test_a_line_that_cannot_be_read_at_the_end_stops_the_file_before_anything_is_planned(coordinator, write,
                                                                                        monkeypatch):
    monkeypatch.setattr(plan, "BATCH_SIZE", 2)
    text = csv_text(places_of(6)) + 'lieu-7,"Guillemet jamais fermé\n'
    outcome = imports.apply_file(write(text), actor=coordinator)
    assert outcome.plan is None and not outcome.read.readable
    assert "Guillemet non fermé" in plain(outcome.problems[-1].message)
    assert Place.query.count() == 0


def test_a_row_in_error_after_written_batches_still_writes_nothing(coordinator, write, monkeypatch):
    monkeypatch.setattr(plan, "BATCH_SIZE", 2)
    rows = [*places_of(5), row(id="lieu-6", nom="", pivot="73282932000074")]  # no name: rejected
    outcome = imports.apply_file(write(csv_text(rows)), actor=coordinator)
    assert not outcome.report.applied and outcome.plan.rejected_lines == [7]
    assert Place.query.count() == 0
    assert outcome.plan.to_create == 5  # the report still says what the file would do


def test_with_rows_left_out_the_batches_write_every_other_place(coordinator, write, monkeypatch):
    monkeypatch.setattr(plan, "BATCH_SIZE", 2)
    rows = [*places_of(2), row(id="lieu-x", nom="", pivot="73282932000074"), *places_of(5)[2:]]
    outcome = imports.apply_file(write(csv_text(rows)), actor=coordinator, skip_invalid=True)
    assert outcome.report.applied and outcome.report.created == 5
    assert sorted(p.external_id for p in Place.query) == [f"lieu-{n}" for n in range(1, 6)]
    assert len({p.organisation_id for p in Place.query}) == 1  # the organisation is created once, in the first batch


def test_the_plan_keeps_counts_not_places_and_rejected_rows_keep_their_problems(coordinator, write):
    path = write(csv_text([row(id="lieu-1"), row(id="lieu-2", nom="Autre lieu", latitude="", longitude="",
                                                 adresse="", commune="", code_postal="", code_insee=""),
                           row(id="lieu-3", nom="Troisième lieu")]))
    outcome = imports.check_file(path, actor=coordinator)
    assert outcome.plan.rejected_lines == [3] and {p.line for p in outcome.plan.errors} == {3}
    assert outcome.plan.places == [] and outcome.plan.to_create == 2
    assert plain(outcome.plan.visibility().hidden) == [("organisation créée par l'import, en attente de validation", 2),
                                                ("ligne rejetée (erreur)", 1)]
    outcome = imports.apply_file(path, actor=coordinator, skip_invalid=True)
    assert outcome.report.created == 2 and outcome.plan.places == []


def test_the_cleaner_does_not_remember_names_addresses_and_texts():
    clean = plan._Cleaner()
    for n in range(50):
        clean("name", f"Lieu {n}")
        clean("address", f"{n} rue de la Mairie")
        clean("description", f"Texte {n}")
    clean("opening_hours", "Mo-Fr 09:00-12:00")
    clean("opening_hours", "Mo-Fr 09:00-12:00")
    assert {key[0] for key in clean.memo} == {"opening_hours"}


def import_peak(coordinator, write, count: int) -> int:
    path = write(csv_text(places_of(count, prefix=f"file-{count}", presentation_detail="Un texte. " * 50)),
                 name=f"lieux-{count}.csv")
    tracemalloc.start()
    try:
        outcome = imports.apply_file(path, actor=coordinator)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.report.applied and outcome.report.created == count
    return peak


def test_the_memory_an_import_needs_does_not_follow_the_file_size(coordinator, write):
    """Each row carries 500 characters of text. When the file's text, its rows and their values were held
    together, each row more cost the peak 5.3 KB (measured on 2f2bfc1); read in a stream and written in
    batches, 2.5 KB (the duplicate index and the report's counts). 3.5 KB catches a return to holding the file."""
    import_peak(coordinator, write, 10)  # what is loaded once (the communes table) is not counted
    small, large = import_peak(coordinator, write, 1000), import_peak(coordinator, write, 4000)
    per_row = (large - small) / 3000
    print(f"peak: {small / 1e6:.1f} MB at 1,000 rows, {large / 1e6:.1f} MB at 4,000: {per_row:.0f} B a row")
    assert per_row < 3500
