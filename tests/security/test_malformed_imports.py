"""Finding 5 of the security review: malformed import files gave a 500 on the upload page or a
traceback on the command line (an unclosed quote, one 20 MB value, a zip or gzip sent by mistake,
JSON nested 200,000 levels), and 5 million ``{}`` took 1.3 GB. Each now gives a French message
with its line, on the page and on the command line (exit 1), and the staged upload is removed."""
import bz2
import gzip
import io
import json
import lzma
import tracemalloc
import zipfile

import pytest
from werkzeug.test import EnvironBuilder

from coordination.directory import imports

from coordination.directory.imports import parsing
from tests.directory.imports.helpers import csv_text, row
from tests.french import plain

pytestmark = pytest.mark.usefixtures("import_blueprint")  # the import page, however the app was built

URL = "/coordination/import"


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    folder = tmp_path / "instance" / "imports"
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(folder))
    return folder


def good_csv(rows=2) -> str:
    return csv_text([row(id=f"lieu-{n}", nom=f"Lieu {n}", horaires="Mo-Fr 09:00-12:00") for n in range(1, rows + 1)])


def unclosed_quote() -> bytes:
    lines = good_csv(3).splitlines(keepends=True)
    lines[2] = lines[2].replace("Lieu 2", '"Lieu 2', 1)  # line 3 opens a quote that is never closed
    return "".join(lines).encode()


def field_of_20_mb() -> bytes:
    return csv_text([row(presentation_detail="a" * (20 * 1024 * 1024))]).encode()


def zipped() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("lieux.csv", good_csv())
    return out.getvalue()


def nested_json() -> bytes:
    return b"[" * 200_000 + b"]" * 200_000


# name, content, what the message says, where (the report's location column)
CASES = {
    "unclosed-quote": (unclosed_quote, "Guillemet non fermé : la valeur qui commence ligne 3", "ligne 3"),
    "field-of-20-mb": (field_of_20_mb, "Une valeur dépasse 100\u202f000 caractères à la ligne 2", "ligne 2"),
    "zip": (zipped, "Ce fichier est une archive ZIP (.zip), pas un fichier CSV ou JSON", "fichier"),
    "gzip": (lambda: gzip.compress(good_csv().encode()), "Ce fichier est un fichier compressé gzip (.gz)", "fichier"),
    "nested-json": (nested_json, "Le fichier JSON est imbriqué sur plus de 32 niveaux ligne 1", "fichier"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_upload_page_explains_in_french_and_removes_the_file(client, login, coordinator, uploads, case):
    content, message, _ = CASES[case]
    login(coordinator)
    # the request's body is built here so that its temporary file (over 500 kB) is closed here
    environ = EnvironBuilder(path=URL, method="POST", data={"file": (io.BytesIO(content()), "lieux.csv")},
                             content_type="multipart/form-data").get_environ()
    try:
        response = client.open(environ)
        page = plain(response.get_data(as_text=True))
    finally:
        environ["wsgi.input"].close()
    assert response.status_code == 200, page[:2000]
    assert message.replace("'", "&#39;") in page
    assert ">Appliquer l'import</button>" not in page
    assert [path for path in uploads.iterdir()] == []  # the staged upload is gone


@pytest.mark.parametrize("case", CASES)
def test_the_command_line_explains_in_french_and_exits_1(runner, coordinator, tmp_path, case):
    content, message, where = CASES[case]
    path = tmp_path / "lieux.csv"
    path.write_bytes(content())
    result = runner.invoke(args=["opendata", "import", str(path), "--dry-run", "--as", coordinator.email])
    assert result.exit_code == 1, plain(result.output)
    assert isinstance(result.exception, SystemExit)  # no other exception, no traceback
    assert "Traceback" not in plain(result.output)
    assert f"{where} [erreur] : {message}" in plain(result.output)
    assert "rien n'a été importé" in plain(result.output)


def test_five_million_empty_objects_are_refused_before_they_are_built(app):
    data = b"[" + b",".join([b"{}"] * 5_000_000) + b"]"
    tracemalloc.start()
    try:
        read = imports.read_bytes(data, max_rows=200_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [plain(p.message) for p in read.problems] == [
        "Le fichier JSON contient plus de 2\u202f000\u202f000 objets et listes (dépassé ligne 1) : bien plus que "
        "200\u202f000 lieux (réglage IMPORT_MAX_ROWS). Découpez-le en plusieurs fichiers."]
    assert read.rows == []
    # the 15 MB text, its structure (brackets), and a little more: the parsed objects took 1.3 GB
    assert peak < 120 * 1024 * 1024, peak


def test_more_rows_than_import_max_rows_are_refused_with_the_line(app, monkeypatch, runner, coordinator, tmp_path):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 3)
    header, rows = good_csv(4).split("\n", 1)
    read = imports.read_bytes(f"{header}\n\n{rows}".encode())  # a blank line: the lines still count
    assert [(p.line, p.reason) for p in read.problems] == [(6, "trop de lignes")]
    assert "compte plus de 3 lieux (le lieu n° 4 commence ligne 6)" in plain(read.problems[0].message)
    assert not imports.read_bytes(good_csv(3).encode()).problems
    read = imports.read_bytes(json.dumps([row(id=f"l{n}") for n in range(4)]).encode())
    assert [plain(p.message)[:28] for p in read.problems] == ["Le fichier compte 4 lieux : "]
    path = tmp_path / "lieux.csv"
    path.write_text(good_csv(4))
    result = runner.invoke(args=["opendata", "import", str(path), "--as", coordinator.email])
    assert result.exit_code == 1 and "ligne 5 [erreur] : Le fichier compte plus de 3 lieux" in plain(result.output)


@pytest.mark.parametrize(("content", "kind"), [
    (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml....xl/workbook.xml", "un classeur Excel (.xlsx)"),
    (b"PK\x03\x04\x14\x00\x00\x08\x00\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
     "un classeur OpenDocument (.ods)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "un classeur Excel ancien format (.xls) ou un autre document Microsoft Office"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "un document PDF"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04", "une archive 7-Zip (.7z)"),
    (bz2.compress(b"id,nom\n"), "un fichier compressé bzip2 (.bz2)"),
    (lzma.compress(b"id,nom\n"), "un fichier compressé xz (.xz)"),
    ("id,nom\n".encode("utf-16"), "un texte enregistré en UTF-16"),
])
def test_other_binary_files_are_named(content, kind):
    read = imports.read_bytes(content)
    assert [plain(p.message).split(", pas un")[0] for p in read.problems] == [f"Ce fichier est {kind}"]


def test_a_nul_byte_in_a_text_file_is_refused_with_its_line():
    read = imports.read_bytes(good_csv(2).encode().replace(b"Lieu 2", b"Lieu\x002"))
    assert [(p.line, p.reason) for p in read.problems] == [(3, "fichier binaire")]


def test_quoting_is_strict():
    text = good_csv(3).replace("Lieu 2", '"Lieu" 2', 1)  # text after a closing quote
    read = imports.read_bytes(text.encode())
    assert [(p.line, p.reason) for p in read.problems] == [(3, "guillemet mal placé")]
    assert "Guillemet mal placé ligne 3 : après un guillemet fermant, il faut le séparateur « , »" \
        in plain(read.problems[0].message)
    # a quote opened line 3 and closed by the next quote, line 4: the value started line 3
    text = good_csv(3).replace("Lieu 2", '"Lieu 2', 1).replace("Lieu 3", 'Lieu "3"', 1)
    read = imports.read_bytes(text.encode())
    assert "(la valeur commence ligne 3 : un guillemet y est sans doute resté ouvert)" in plain(read.problems[0].message)
    # quotes inside a quoted value, doubled, and line breaks inside one, are still read
    text = good_csv(2).replace("Lieu 2", '"Le ""Lieu"" 2"', 1).replace("Aide aux démarches en ligne.",
                                                                    '"Aide,\naux démarches."')
    read = imports.read_bytes(text.encode())
    assert read.readable, read.problems
    assert read.rows[1].record["nom"] == 'Le "Lieu" 2'


def test_a_long_value_an_unclosed_quote_in_a_big_file_and_too_many_cells():
    read = imports.read_bytes(csv_text([row(), row(presentation_detail="b" * 100_001)]).encode())
    assert [(p.line, p.reason) for p in read.problems] == [(3, "valeur trop longue")]
    assert not imports.read_bytes(csv_text([row(presentation_detail="b " * 50_000)]).encode()).problems
    # an unclosed quote followed by more than the reader's own limit: the quote is named
    big = good_csv(1) + '"Lieu 2,\n' + good_csv(1).split("\n", 1)[1] * 500
    read = imports.read_bytes(big.encode())
    assert read.problems[0].line == 3 and "un guillemet ouvert n'y est sans doute pas refermé" \
        in plain(read.problems[0].message)
    read = imports.read_bytes((good_csv(1) + "," * 5_000_000 + "\n").encode())
    assert [(p.line, p.reason) for p in read.problems] == [(3, "trop de cellules")]
    read = imports.read_bytes((good_csv(1) + '"",' * 1_000 + "\n").encode())
    assert [(p.line, p.reason) for p in read.problems] == [(3, "trop de cellules")]


def test_json_values_and_objects_are_bounded_too():
    read = imports.read_bytes(json.dumps([row(), row(id="l2", presentation_detail="c" * 100_001)]).encode())
    assert [(p.line, p.column, p.reason) for p in read.problems] == [(3, "presentation_detail", "valeur trop longue")]
    read = imports.read_bytes(json.dumps([row(nom="Lieu\u0000")]).encode())
    assert [p.reason for p in read.problems] == ["caractère nul"]
    read = imports.read_bytes(json.dumps([{f"k{n}": "" for n in range(1_000)}]).encode())
    assert [p.reason for p in read.problems] == ["trop de cellules"]
    read = imports.read_bytes(b"[" + b"1," * 30_000 + b"1]", max_rows=100)
    assert [p.reason for p in read.problems] == ["trop de lignes"]
    # nested 33 levels, on line 3: refused with its line; 32 levels are parsed
    read = imports.read_bytes(b'[\n{"a": "[[[",\n' + b"[" * 32 + b"]" * 32 + b"}]")
    assert "imbriqué sur plus de 32 niveaux ligne 3" in plain(read.problems[0].message)
    read = imports.read_bytes(b'[{"a":' + b"[" * 30 + b"]" * 30 + b"}]")
    assert [p.reason for p in read.problems] != ["JSON trop imbriqué"]
    # brackets inside strings, after escaped quotes and backslashes, are text
    read = imports.read_bytes(json.dumps([row(nom='Le \\"Lieu\\" ' + "[" * 40, presentation_detail="\\" + "{" * 40)])
                              .encode())
    assert read.readable, read.problems
    # unbalanced but shallow: the parser's own message, in French
    read = imports.read_bytes(b'[{"nom": "x"]')
    assert plain(read.problems[0].message) == "Le fichier JSON est mal formé ligne 1 : une virgule est attendue."


def test_the_depth_check_does_not_recurse():
    with pytest.raises(parsing.Malformed):
        parsing.check_json("[" * 1_000_000 + "]" * 1_000_000, max_rows=200_000)


def test_an_unclosed_quote_is_caught_early_whatever_another_library_set_the_csv_limit_to():
    """The csv module's field limit is global; frictionless raises it when it validates a file."""
    import csv
    import sys
    previous = csv.field_size_limit(sys.maxsize)
    try:
        big = good_csv(1) + '"Lieu 2,\n' + good_csv(1).split("\n", 1)[1] * 500
        read = imports.read_bytes(big.encode())
        assert read.problems[0].line == 3 and "un guillemet ouvert n'y est sans doute pas refermé" \
            in plain(read.problems[0].message)
    finally:
        csv.field_size_limit(previous)
