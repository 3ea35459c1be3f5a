"""What the import's tests share with each other and with the other folders' tests: a standard row,
a CSV of rows, the upload page's form posted, the token it answers with."""
import csv
import io

import pytest
from sqlalchemy import func, select

from coordination.directory import serializers
from coordination.directory.models import Place

HEADER = list(serializers.STANDARD_FIELDS)
URL = "/coordination/import"

# A regional file: its own column names, semicolons, French hours, a list separated by « / ».
SAMPLE = (
    "Réf;Nom de la structure;Rue;CP;Ville;Lat;Lon;Mail;Heures d'ouverture;Dernière modification;Aides\n"
    "r1;Médiathèque des Tilleuls;12 rue des Tilleuls;21000;Dijon;47.32;5.04;contact@tilleuls.fr;"
    "Mo-Fr 09:00-12:00;05/03/2024;Aide aux démarches administratives\n"
    "r2;Espace numérique du Port;3 quai du Port;21000;Dijon;47.31;5.05;accueil@port.fr;"
    "le mardi matin;10/03/2024;aide aux démarches administratives / Maîtrise des outils numériques du "
    "quotidien\n"
    "r3;Tiers-lieu La Forge;1 place de la Forge;21200;Beaune;47.02;4.84;forge@exemple.fr;;12/03/2024;"
    "Maîtrise des outils numériques du quotidien\n"
)

def row(**values) -> dict:
    base = {
        "id": "lieu-1", "pivot": "73282932000074", "nom": "Espace numérique du Breil", "commune": "Nantes",
        "code_postal": "44100", "code_insee": "44109", "adresse": "12 rue du Breil", "latitude": "47.2305",
        "longitude": "-1.5901", "typologie": "ASSO", "telephone": "+33240123456",
        "courriels": "accueil@breil.exemple.fr", "site_web": "https://breil.exemple.fr",
        "horaires": "Mo-Fr 09:00-12:00,14:00-17:30", "presentation_resume": "Aide aux démarches en ligne.",
        "itinerance": "Fixe", "date_maj": "2024-03-15",
        "services": "Aide aux démarches administratives|Accès internet et matériel informatique",
        "frais_a_charge": "Gratuit", "modalites_accompagnement": "Accompagnement individuel",
    }
    base.update(values)
    return base


def csv_text(rows, *, separator=",", header=None, newline="\n") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or HEADER, delimiter=separator, lineterminator=newline,
                            extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: r.get(k, "") for k in (header or HEADER)})
    return out.getvalue()


def place_count() -> int:
    from coordination.extensions import db
    return db.session.scalar(select(func.count(Place.id)))


def problems_of(outcome, severity=None):
    return [p for p in outcome.problems if severity is None or p.severity == severity]


def three_organisations() -> str:
    """Three places of three structures, each with a contact address in the file."""
    return csv_text([
        row(),
        row(id="lieu-2", pivot="35600000000048", nom="Médiathèque Jacques Demy", adresse="24 quai de la Fosse",
            latitude="47.2110", longitude="-1.5680", courriels="contact@demy.exemple.fr"),
        row(id="lieu-3", pivot="44306184100047", nom="Les Ateliers du Clic", adresse="3 rue de Rieux",
            latitude="47.2150", longitude="-1.5450", courriels="bonjour@clic.exemple.fr"),
    ])


def upload(client, content: str = SAMPLE, name="lieux.csv", **fields):
    """The upload page's form posted with a file (``fields``: its other fields)."""
    return client.post(URL, data={"file": (io.BytesIO(content.encode()), name), **fields},
                       content_type="multipart/form-data")


def token_of(page: str) -> str:
    """The token of the file the page keeps, for « Appliquer l'import »."""
    marker = 'name="token" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def real_file(reference, name):
    """A real directory of ../shared/reference/real-world; the test is skipped without it."""
    path = reference / "real-world" / name
    if not path.is_file():
        pytest.skip(f"{path} is missing: no real file to import")
    return path
