"""The open-data file formats: one writer per file, fed one standard record at a time.

A writer never holds more than one record: it writes to the stream it is given as records arrive,
so a national export keeps memory flat. Records come from
``coordination.directory.serializers.standard_record`` (keys in schema order, None when empty);
the data·inclusion writers translate them into that schema's structures and services.
"""
import json
import operator
import unicodedata

from coordination.core import csv_writer
from coordination.directory.serializers import (
    STANDARD_FIELDS,
    STANDARD_SCHEMA_URL,
    split,
)

DATA_INCLUSION_VERSION = "1.0.8"
DATA_INCLUSION_SCHEMA_URLS = {
    kind: f"https://raw.githubusercontent.com/gip-inclusion/data-inclusion-schema/v{DATA_INCLUSION_VERSION}"
          f"/schemas/v1/{kind}.json"
    for kind in ("structure", "service")
}


# One encoder for the whole export: json.dumps with options builds a new encoder at every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
string = json.encoder.encode_basestring  # a str as a JSON string, without escaping non-ASCII text


def dumps(value) -> str:
    return _ENCODER.encode(value)


class Writer:
    """Writes one file: ``begin`` once, ``add`` per record, ``end`` once; ``rows`` counts what was written."""

    uses_encoded = False  # whether ``add`` reads the record's JSON (else it is not encoded at all)

    def __init__(self, stream, context: dict):
        self.stream = stream
        self.write = stream.write
        self.context = context  # network name, place page URL template
        self.rows = 0

    def begin(self):
        pass

    def add(self, record: dict, encoded: str):
        """``encoded`` is the record as JSON, encoded once for every writer that needs it."""
        raise NotImplementedError

    def end(self):
        pass


class CsvWriter(Writer):
    """The standard's CSV: UTF-8 without BOM, comma, header in schema order, minimal quoting."""

    # the row as a tuple in schema order, in one call; csv writes None as an empty cell and a float
    # with repr(), as csv_value does
    row = operator.itemgetter(*STANDARD_FIELDS)

    def begin(self):
        self.writer = csv_writer.CsvWriter(csv_writer.OPEN_DATA, self.stream)
        self.writer.row(STANDARD_FIELDS)

    def add(self, record, encoded):
        # A text cell that a spreadsheet would run as a formula gets a leading apostrophe (issue 13,
        # finding 8): an import may have brought one before the input guard existed.
        self.writer.row(self.row(record))
        self.rows += 1


class JsonArrayWriter(Writer):
    """A JSON array written item by item: ``[`` first, a comma between items, ``]`` last."""

    opening = "["
    closing = "]\n"

    def begin(self):
        self.write(self.opening)
        self.separator = "\n"

    def item(self, text: str):
        """Writes one item's JSON text."""
        self.write(self.separator)
        self.write(text)
        self.separator = ",\n"
        self.rows += 1

    def end(self):
        self.write(("\n" if self.rows else "") + self.closing)


class StandardJsonWriter(JsonArrayWriter):
    """The standard as JSON: the CSV's values (lists joined with "|"), numbers for the coordinates."""

    uses_encoded = True

    def add(self, record, encoded):
        self.item(encoded)


class GeoJsonWriter(JsonArrayWriter):
    """A FeatureCollection: a Point per place ([longitude, latitude]), null geometry without coordinates."""

    opening = '{"type":"FeatureCollection","features":['
    closing = "]}\n"

    uses_encoded = True

    def add(self, record, encoded):
        longitude, latitude = record["longitude"], record["latitude"]
        # floats as json writes them (repr), without building and encoding a dict per place
        geometry = (f'{{"type":"Point","coordinates":[{longitude!r},{latitude!r}]}}'
                    if latitude is not None and longitude is not None else "null")
        self.item(f'{{"type":"Feature","id":{string(record["id"])},"geometry":{geometry},"properties":{encoded}}}')


class StructureWriter(JsonArrayWriter):
    def add(self, record, encoded):
        self.item(dumps(structure(record, **self.context)))


class ServiceWriter(JsonArrayWriter):
    """The same text as ``dumps`` of each of ``services()``, the parts every offer of the place shares
    encoded once."""

    def add(self, record, encoded):
        where, terms, offers = _service_parts(record, **self.context)
        if not offers:
            return
        shared = f",{dumps(where)[1:-1]},"
        tail = f",{dumps(terms)[1:]}"
        for own, kind in offers:
            self.item(dumps(own)[:-1] + shared + dumps(kind)[1:-1] + tail)


# --- data·inclusion v1 ------------------------------------------------------------------------

# Standard service -> (data·inclusion thematiques, service type). The "numerique--" themes carry the
# digital side; a second theme says what the help is for when the standard's label says it.
SERVICE_MAPPING = {
    "Aide aux démarches administratives": (
        ["numerique--acceder-a-des-services-en-ligne",
         "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"],
        "accompagnement"),
    "Maîtrise des outils numériques du quotidien": (["numerique--maitriser-les-fondamentaux-du-numerique"],
                                                    "accompagnement"),
    "Insertion professionnelle via le numérique": (
        ["numerique--maitriser-les-fondamentaux-du-numerique",
         "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi"],
        "accompagnement"),
    "Utilisation sécurisée du numérique": (["numerique--maitriser-les-fondamentaux-du-numerique"], "accompagnement"),
    "Parentalité et éducation avec le numérique": (
        ["numerique--maitriser-les-fondamentaux-du-numerique", "famille--soutien-a-la-parentalite-et-a-leducation"],
        "accompagnement"),
    "Loisirs et créations numériques": (
        ["numerique--maitriser-les-fondamentaux-du-numerique", "remobilisation--activites-sportives-et-culturelles"],
        "atelier"),
    "Compréhension du monde numérique": (["numerique--maitriser-les-fondamentaux-du-numerique"], "information"),
    "Accès internet et matériel informatique": (["numerique--acceder-a-une-connexion-internet"], "aide-materielle"),
    "Acquisition de matériel informatique à prix solidaire": (["numerique--acquerir-un-equipement"],
                                                              "aide-materielle"),
}
PUBLICS = {"Jeunes": "jeunes", "Étudiants": "etudiants", "Familles et/ou enfants": "familles",
           "Seniors": "seniors", "Femmes": "femmes"}
DISABILITY_SUPPORT = {"Surdité", "Handicaps moteurs", "Handicaps mentaux", "Déficience visuelle"}
ACCESS_MODES = {"Se présenter": "se-presenter", "Téléphoner": "telephoner", "Contacter par mail": "envoyer-un-courriel",
                "Envoyer un mail avec une fiche de prescription": "envoyer-un-courriel"}
# Networks carrying a place, from its national programmes, labels and typology codes.
NETWORKS = {
    "Aidants Connect": "aidants-connect", "Conseillers numériques": "conseillers-numeriques",
    "Emmaüs Connect": "emmaus", "Relais numérique (Emmaüs Connect)": "emmaus", "France Services": "france-service",
    "Grande école du numérique": "grandes-ecoles-du-numerique", "La Croix Rouge": "croix-rouge",
    "Fabriques de Territoire": "fabrique-de-territoire",
    "CCAS": "ccas-cias", "CIAS": "ccas-cias", "MUNI": "communes", "DEPT": "departements", "RFS": "france-service",
    "EPN": "espaces-publics-numeriques", "MJC": "mjc", "PIMMS": "pimms-mediation", "LA_POSTE": "la-poste",
}
NAME_MAX = 150
TEXT_MAX = 10000


def slug(text: str, keep: str = "") -> str:
    """Lower-case ASCII words joined by "-", accents folded ("Accès" gives "acces"); characters
    in ``keep`` are kept as they are. The same text always gives the same slug."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() or c in keep else " " for c in ascii_text).split())


# A service's id is its place's id and its label's slug: stable when the place adds or drops
# another service, so reusers syncing by id see only what changed.
SERVICE_SLUGS = {label: slug(label) for label in SERVICE_MAPPING}


def _name(text: str) -> str:
    """3 to 150 characters, not ending with a period."""
    name = text.strip()
    if len(name) > NAME_MAX:
        name = name[: NAME_MAX - 1].rsplit(" ", 1)[0] + "…"
    name = name.rstrip(". ")
    return name if len(name) >= 3 else f"Lieu {name}".strip()


def _text(*parts) -> str | None:
    text = "\n\n".join(part for part in parts if part)
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1].rsplit(" ", 1)[0] + "…"
    return text if len(text) >= 5 else None


# The placeholder SIRET of places whose structure is unknown: data·inclusion wants null then.
UNKNOWN_SIRET = "00000000000000"


def _siret(pivot: str | None) -> str | None:
    return pivot if pivot and len(pivot) == 14 and pivot.isdigit() and pivot != UNKNOWN_SIRET else None


def _first(value) -> str | None:
    items = split(value)
    return items[0] if items else None


def _networks(record) -> list[str] | None:
    values = (split(record["dispositif_programmes_nationaux"]) + split(record["formations_labels"])
              + split(record["typologie"]))
    networks = sorted({NETWORKS[value] for value in values if value in NETWORKS})
    return networks or None


def _place_fields(record) -> dict:
    """What a structure and its services share: where, how to reach it, when."""
    return {
        "commune": record["commune"], "code_postal": record["code_postal"], "code_insee": record["code_insee"],
        "adresse": record["adresse"], "complement_adresse": record["complement_adresse"],
        "longitude": record["longitude"], "latitude": record["latitude"],
        "telephone": record["telephone"], "courriel": _first(record["courriels"]),
        "horaires_accueil": record["horaires"],
    }


def structure(record: dict, *, source: str, place_url: str) -> dict:
    """The place as a data·inclusion structure: its id is the place's public id."""
    return {
        "source": source,
        "id": record["id"],
        "nom": _name(record["nom"]),
        "date_maj": record["date_maj"],
        "siret": _siret(record["pivot"]),
        **_place_fields(record),
        "site_web": _first(record["site_web"]),
        "description": _text(record["presentation_resume"], record["presentation_detail"]),
        "lien_source": place_url.replace("__id__", record["id"]),
        "accessibilite_lieu": record["fiche_acces_libre"],
        "reseaux_porteurs": _networks(record),
    }


def _fees(values: list[str]) -> tuple[str | None, str | None]:
    if "Payant" in values:
        return "payant", "Gratuit sous condition" if "Gratuit sous condition" in values else None
    if "Gratuit sous condition" in values:
        return "gratuit", "Gratuit sous condition"
    return ("gratuit", None) if "Gratuit" in values else (None, None)


def _publics(record) -> list[str]:
    publics = [PUBLICS[value] for value in split(record["publics_specifiquement_adresses"]) if value in PUBLICS]
    if DISABILITY_SUPPORT & set(split(record["prise_en_charge_specifique"])):
        publics.append("personnes-en-situation-de-handicap")
    return publics or ["tous-publics"]


def _mobilisation(record) -> tuple[list[str] | None, str | None, list[str]]:
    access = split(record["modalites_acces"])
    modes = [ACCESS_MODES[value] for value in access if value in ACCESS_MODES]
    link = record["prise_rdv"]
    if link and ("Prendre un RDV en ligne" in access or not modes):
        modes.append("utiliser-lien-mobilisation")
    prescription = "Envoyer un mail avec une fiche de prescription" in access
    by = ([] if access == ["Envoyer un mail avec une fiche de prescription"] else ["usagers"]) + (
        ["professionnels"] if prescription else [])
    return list(dict.fromkeys(modes)) or None, link, by


def services(record: dict, *, source: str, place_url: str) -> list[dict]:
    """One data·inclusion service per service of the standard the place offers.

    One per offer rather than one per place: each gets its own name, themes and type, so a reuser
    searching by theme ("acquérir un équipement") finds the offer itself, and the place's
    description, fees, publics and modes stay with each of them. A place offering no standard
    service has no service record (its structure is still published)."""
    where, terms, offers = _service_parts(record, source=source, place_url=place_url)
    return [{**own, **where, **kind, **terms} for own, kind in offers]


def _service_parts(record: dict, *, source: str, place_url: str) -> tuple[dict, dict, list[tuple[dict, dict]]]:
    """The services of a place in four parts, in the order of their keys: per offer (source, id,
    name, description), shared (date and place), per offer (type, themes), shared (fees, publics,
    modes, links). The file's writer encodes the shared parts once per place, not once per offer."""
    fees, fee_details = _fees(split(record["frais_a_charge"]))
    modes, link, by = _mobilisation(record)
    support = split(record["modalites_accompagnement"])
    atelier = support == ["Dans un atelier collectif"]
    reception = (["en-presentiel"] if support != ["À distance"] else []) + (["a-distance"] if "À distance" in support else [])
    where = {"date_maj": record["date_maj"], **_place_fields(record)}
    terms = {
        "frais": fees,
        "frais_precisions": fee_details,
        "publics": _publics(record),
        "modes_accueil": reception or None,
        "modes_mobilisation": modes,
        "mobilisable_par": by,
        "lien_mobilisation": link,
        "lien_source": place_url.replace("__id__", record["id"]),
    }
    offers = []
    for label in dict.fromkeys(split(record["services"])):
        if label not in SERVICE_MAPPING:
            continue
        themes, kind = SERVICE_MAPPING[label]
        place_text = f"{label}, proposé par « {record['nom']} » à {record['commune']}."
        offers.append(({
            "source": source,
            "id": f"{record['id']}--{SERVICE_SLUGS[label]}",
            "structure_id": record["id"],
            "nom": _name(label),
            "description": _text(place_text, record["presentation_resume"], record["presentation_detail"]),
        }, {
            "type": "atelier" if atelier and kind == "accompagnement" else kind,
            "thematiques": themes,
        }))
    return where, terms, offers


# --- the files ----------------------------------------------------------------------------------

# name, title, writer, media type, format, what it conforms to: for every file, the versioned schema
# file of its standard (issue 15, item 8: one kind of URL, which answers). The JSON and GeoJSON
# records carry the fields of the standard's Table Schema, with their constraints, in its order.
FILES = (
    ("lieux-de-mediation-numerique.csv", "Lieux de médiation numérique (CSV, standard 1.0.1)", CsvWriter,
     "text/csv", "csv", STANDARD_SCHEMA_URL),
    ("lieux-de-mediation-numerique.json", "Lieux de médiation numérique (JSON, standard 1.0.1)", StandardJsonWriter,
     "application/json", "json", STANDARD_SCHEMA_URL),
    ("lieux-de-mediation-numerique.geojson", "Lieux de médiation numérique (GeoJSON)", GeoJsonWriter,
     "application/geo+json", "geojson", STANDARD_SCHEMA_URL),
    ("data-inclusion/structures.json", "Structures au schéma data·inclusion", StructureWriter,
     "application/json", "json", DATA_INCLUSION_SCHEMA_URLS["structure"]),
    ("data-inclusion/services.json", "Services au schéma data·inclusion", ServiceWriter,
     "application/json", "json", DATA_INCLUSION_SCHEMA_URLS["service"]),
)
