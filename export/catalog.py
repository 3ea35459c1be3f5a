"""What describes the open-data files: the manifest, the Frictionless data package, the DCAT catalogue.

All three are built from the manifest that ``export.publish`` writes last, so sizes, checksums and
dates always describe the files actually on disk: the files of the generation the manifest names.
"""
import json
import re
from datetime import datetime
from pathlib import Path

from flask import current_app

from coordination.directory.serializers import STANDARD_HOMEPAGE, STANDARD_SCHEMA_URL, STANDARD_VERSION
from coordination.utils import external_url
from export.formats import slug

MANIFEST = "manifest.json"
# Each export writes its files into a new folder of OPEN_DATA_DIR; the manifest names it.
GENERATION = re.compile(r"gen-[0-9]{8}T[0-9]{6}Z-[A-Za-z0-9_]+")
DATAPACKAGE = "datapackage.json"
LICENCE_ID = "etalab-2.0"
LICENCE_TITLE = "Licence Ouverte / Open Licence version 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
DATASET_NAME = "lieux-de-mediation-numerique"

# The 32 columns of the standard, each with what it holds in a few words (shown on /open-data).
FIELD_MEANINGS = {
    "id": "identifiant unique et stable du lieu (il ne change jamais, même si le lieu est renommé)",
    "pivot": "SIRET de la structure qui porte le lieu, ou à défaut son numéro RNA",
    "nom": "nom du lieu tel qu'il est affiché au public",
    "commune": "nom de la commune où se trouve le lieu",
    "code_postal": "code postal sur 5 caractères (le zéro initial est conservé)",
    "code_insee": "code officiel de la commune (2A et 2B pour la Corse)",
    "adresse": "numéro et voie",
    "complement_adresse": "bâtiment, étage, indication pour trouver l'entrée",
    "latitude": "latitude en degrés décimaux (WGS 84)",
    "longitude": "longitude en degrés décimaux (WGS 84)",
    "typologie": "type de structure, en codes data·inclusion (CCAS, BIB, ASSO…)",
    "telephone": "un numéro de téléphone au format international (+33…)",
    "courriels": "adresses électroniques de contact",
    "site_web": "site internet du lieu ou de sa structure, et ses réseaux sociaux (plusieurs adresses possibles)",
    "horaires": "horaires d'ouverture habituels, au format OpenStreetMap",
    "presentation_resume": "présentation courte, 280 caractères au plus",
    "presentation_detail": "présentation complète du lieu et de son offre",
    "source": "structure qui a collecté la donnée : le réseau, ou le producteur du fichier importé",
    "itinerance": "lieu fixe, itinérant, ou les deux",
    "structure_parente": "structure dont dépend le lieu",
    "date_maj": "date de la dernière mise à jour ou confirmation de la fiche",
    "services": "ce que l'on peut faire sur place : démarches, prise en main d'outils, accès à du matériel…",
    "publics_specifiquement_adresses": "publics pour lesquels le lieu a une offre dédiée",
    "prise_en_charge_specifique": "handicaps, illettrisme ou langues pour lesquels un accompagnement adapté existe",
    "frais_a_charge": "gratuit, gratuit sous condition ou payant",
    "dispositif_programmes_nationaux": "programmes nationaux dont le lieu fait partie (Conseillers numériques…)",
    "formations_labels": "formations suivies et labels obtenus par l'équipe",
    "autres_formations_labels": "autres formations ou labels, en texte libre",
    "modalites_acces": "comment venir : se présenter, téléphoner, prendre rendez-vous en ligne…",
    "modalites_accompagnement": "seul, accompagné individuellement, en atelier collectif ou à distance",
    "fiche_acces_libre": "fiche d'accessibilité du lieu sur Accès Libre",
    "prise_rdv": "lien pour prendre rendez-vous en ligne",
}


def open_data_dir() -> Path:
    return Path(current_app.config["OPEN_DATA_DIR"])


def read_manifest() -> dict | None:
    """The manifest of the last complete export, or None when there is none (or it is unreadable,
    or names a folder that is not one of the export's generations)."""
    try:
        with (open_data_dir() / MANIFEST).open(encoding="utf-8") as stream:
            manifest = json.load(stream)
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return None
    directory = manifest.get("directory", "")  # absent from manifests written before generations
    if not isinstance(directory, str) or (directory and not GENERATION.fullmatch(directory)):
        return None
    return manifest


def files_dir(manifest: dict) -> Path:
    """The folder holding the files a manifest describes: the generation it names."""
    return open_data_dir() / manifest.get("directory", "")


def file_entry(manifest: dict, name: str) -> dict | None:
    return next((entry for entry in manifest["files"] if entry["name"] == name), None)


def data_files(manifest: dict) -> list[dict]:
    """The files that hold places (the data package is their description, not data)."""
    return [entry for entry in manifest["files"] if entry.get("rows") is not None]


def download_url(name: str) -> str:
    return external_url("opendata.download", filename=name)


def modified(entry: dict) -> datetime:
    return datetime.fromisoformat(entry["generated_at"])


def human_size(size: int) -> str:
    """« 850 octets », « 12,4 ko », « 3,1 Mo » (French decimal comma, 1 ko = 1 000 octets)."""
    if size < 1000:
        return f"{size} octet{'s' if size > 1 else ''}"
    for unit, factor in (("ko", 1e3), ("Mo", 1e6), ("Go", 1e9)):
        if size < factor * 1000 or unit == "Go":
            return f"{size / factor:.1f}".replace(".", ",") + f" {unit}"
    raise AssertionError("unreachable")


# --- Frictionless data package --------------------------------------------------------------------

def dataset_version(moment: datetime) -> str:
    """The dataset's version: the time of its export (UTC), as a calendar version "2026.12.06.020000"
    that sorts like the exports (the standard's version is in each resource's schema, not here)."""
    return f"{moment:%Y.%m.%d.%H%M%S}"


def datapackage(entries: list[dict], *, generated_at: str, version: str | None = None) -> dict:
    """A Frictionless data package (v1 spec) describing the data files; paths are relative to it,
    so the package works where it is served and once downloaded with its files."""
    config = current_app.config
    return {
        "profile": "data-package",
        "name": f"{DATASET_NAME}-{_slug(config['NETWORK_NAME'])}",
        "title": f"Lieux de médiation numérique — {config['NETWORK_NAME']}",
        "description": ("Les lieux d'accompagnement au numérique publiés par le réseau, au standard national "
                        f"« Lieux de médiation numérique » {STANDARD_VERSION} et au schéma data·inclusion."),
        "homepage": external_url("opendata.index"),
        "created": generated_at,
        "version": version or dataset_version(datetime.fromisoformat(generated_at)),
        "licenses": [{"name": LICENCE_ID, "title": LICENCE_TITLE, "path": LICENCE_URL}],
        "sources": [{"title": config["NETWORK_NAME"], "path": config["BASE_URL"]}],
        "keywords": ["médiation numérique", "inclusion numérique", "lieux", "annuaire"],
        "resources": [_resource(entry) for entry in entries],
    }


def _resource(entry: dict) -> dict:
    resource = {
        "name": _slug(entry["name"].replace("/", "-")),
        "path": entry["name"],
        "title": entry["title"],
        "format": entry["format"],
        "mediatype": entry["media_type"],
        "encoding": "utf-8",
        "bytes": entry["bytes"],
        "hash": f"sha256:{entry['sha256']}",
    }
    if entry["format"] == "csv":  # a Table Schema describes the table, not the JSON files
        resource.update(profile="tabular-data-resource", schema=STANDARD_SCHEMA_URL,
                        dialect={"delimiter": ",", "quoteChar": '"', "header": True})
    else:
        resource["description"] = f"Conforme à {entry['conforms_to']}"
    return resource


def _slug(text: str) -> str:
    return slug(text, keep="._")


# --- DCAT catalogue (JSON-LD) -------------------------------------------------------------------

# DCAT wants the media type as an IRI of the IANA register, not as a plain string.
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
FRENCH = {"@id": "http://publications.europa.eu/resource/authority/language/FRA"}
FRANCE = "http://publications.europa.eu/resource/authority/country/FRA"
# The EU data themes (the vocabulary data.europa.eu and data.gouv.fr read): population and society,
# government and public sector.
THEMES = [{"@id": f"http://publications.europa.eu/resource/authority/data-theme/{code}"} for code in ("SOCI", "GOVE")]


def _date(value: str) -> dict:
    return {"@value": value, "@type": "xsd:date"}


def contact_point() -> dict:
    """Who answers about the data: OPEN_DATA_CONTACT_EMAIL when set, else the /open-data page."""
    config = current_app.config
    contact = {"@type": "vcard:Organization", "vcard:fn": config["NETWORK_NAME"]}
    email = (config.get("OPEN_DATA_CONTACT_EMAIL") or "").strip()
    if email:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{email}"}
    else:
        contact["vcard:hasURL"] = {"@id": external_url("opendata.index")}
    return contact


def spatial() -> list[dict]:
    """The network's territory: one location per département of NETWORK_DEPARTEMENTS (its INSEE
    code and name), or France when the setting is empty."""
    from coordination.directory import communes, geocoding
    codes = geocoding.network_departements()
    if not codes:
        return [{"@id": FRANCE, "@type": "dct:Location"}]
    table = communes.current()
    locations = []
    for code in codes:
        name = table.departement_name(code) if table is not None else None
        label = f"{name} ({code})" if name else f"Département {code}"
        locations.append({"@type": "dct:Location", "dct:identifier": code,
                          "skos:prefLabel": {"@value": label, "@language": "fr"}})
    return locations


def dataset_identifier() -> str:
    """The dataset's IRI, which resolves: the /open-data page, at the dataset's anchor."""
    return f"{external_url('opendata.index')}#{DATASET_NAME}"


def _date_time(value: str) -> dict:
    return {"@value": value, "@type": "xsd:dateTime"}


def dcat_catalog(manifest: dict | None) -> dict:
    """A DCAT catalogue with one dataset and one distribution per data file, as data.gouv.fr's
    harvester reads it: absolute URLs, licence and schema as IRIs, typed literals."""
    config = current_app.config
    page = external_url("opendata.index")
    publisher = {"@id": config["BASE_URL"].rstrip("/") + "/", "@type": "foaf:Organization",
                 "foaf:name": config["NETWORK_NAME"]}
    licence = {"@id": LICENCE_URL}
    dataset = {
        "@id": dataset_identifier(),
        "@type": "dcat:Dataset",
        "dct:identifier": dataset_identifier(),
        "dct:title": f"Lieux de médiation numérique — {config['NETWORK_NAME']}",
        "dct:description": ("Lieux où se faire accompagner au numérique (démarches en ligne, prise en main d'un "
                            "ordinateur ou d'un smartphone, accès à internet), publiés par le réseau au standard "
                            f"national « Lieux de médiation numérique » {STANDARD_VERSION}, en GeoJSON et au "
                            "schéma data·inclusion. Régénérés chaque nuit."),
        "dcat:keyword": ["médiation numérique", "inclusion numérique", "France Services", "conseillers numériques"],
        "dct:license": licence,
        "dct:publisher": publisher,
        "dct:language": FRENCH,
        "dct:accrualPeriodicity": {"@id": "http://purl.org/cld/freq/daily"},
        "dcat:landingPage": {"@id": page},
        "dcat:contactPoint": contact_point(),
        "dct:spatial": spatial(),
        "dcat:theme": THEMES,
        "dct:conformsTo": {"@id": STANDARD_SCHEMA_URL},
        "dcat:distribution": [],
    }
    if manifest:
        dataset["dct:issued"] = _date_time(manifest.get("issued") or manifest["generated_at"])
        dataset["dct:modified"] = _date_time(manifest["generated_at"])
        if manifest.get("first_date"):
            dataset["dct:temporal"] = {"@type": "dct:PeriodOfTime", "dcat:startDate": _date(manifest["first_date"]),
                                       "dcat:endDate": _date(manifest["last_date"])}
        dataset["dcat:distribution"] = [_distribution(entry, licence) for entry in data_files(manifest)]
    document = {
        "@context": DCAT_CONTEXT,
        "@id": external_url("opendata.catalog"),
        "@type": "dcat:Catalog",
        "dct:title": f"Données ouvertes — {config['NETWORK_NAME']}",
        "dct:description": "Catalogue des données ouvertes du réseau de médiation numérique.",
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:language": FRENCH,
        "foaf:homepage": {"@id": page},
        "dcat:dataset": [dataset],
    }
    if manifest:
        document["dct:modified"] = _date_time(manifest["generated_at"])
    return document


def _distribution(entry: dict, licence: dict) -> dict:
    url = download_url(entry["name"])
    distribution = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": entry["title"],
        "dcat:downloadURL": {"@id": url},
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": IANA_MEDIA_TYPES + entry["media_type"]},
        "dct:format": entry["format"].upper(),
        "dcat:byteSize": {"@value": str(entry["bytes"]), "@type": "xsd:decimal"},
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
            "spdx:checksumValue": {"@value": entry["sha256"], "@type": "xsd:hexBinary"},
        },
        "dct:modified": _date_time(entry["generated_at"]),
        "dct:license": licence,
        "dct:conformsTo": {"@id": entry["conforms_to"]},
    }
    if entry["conforms_to"] in (STANDARD_SCHEMA_URL, STANDARD_HOMEPAGE):  # the standard's own page, for people
        distribution["foaf:page"] = {"@id": STANDARD_HOMEPAGE}
    return distribution
