"""The OpenAPI 3.0 document of /api/v1, written as a Python dict.

It is served at /api/v1/openapi.json, rendered as the French docs page /api/v1/, and the test suite
checks the API against it (schemathesis). Parameter bounds come from parameters, so the document
and the checks cannot drift apart.
"""
from datetime import datetime
from urllib.parse import urlencode

from coordination.directory.serializers import STANDARD_HOMEPAGE, STANDARD_VERSION
from coordination.vocabularies import SERVICES
from export import parameters as params

LICENCE = {"name": "Licence Ouverte 2.0 (etalab-2.0)",
           "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}

# The 32 fields of the standard, in schema order: (name, type, required, description).
# Required fields are never null; the others are null when the place does not fill them.
FIELDS = (
    ("id", "string", True, "Identifiant unique et stable du lieu (UUID), jamais réutilisé."),
    ("pivot", "string", True, "SIRET de la structure (14 chiffres) ou, à défaut, son numéro RNA."),
    ("nom", "string", True, "Nom du lieu."),
    ("commune", "string", True, "Commune de l'adresse."),
    ("code_postal", "string", True, "Code postal (5 chiffres)."),
    ("code_insee", "string", False, "Code officiel géographique de la commune."),
    ("adresse", "string", True, "Numéro et voie."),
    ("complement_adresse", "string", False, "Précisions pour trouver le lieu (bâtiment, étage…)."),
    ("latitude", "number", False, "Latitude WGS84."),
    ("longitude", "number", False, "Longitude WGS84."),
    ("typologie", "string", False, "Types de structure (codes data·inclusion), séparés par « | »."),
    ("telephone", "string", False, "Un numéro au format international, par exemple +33240000000."),
    ("courriels", "string", False, "Adresses électroniques, séparées par « | »."),
    ("site_web", "string", False, "Site internet ou réseaux sociaux, séparés par « | »."),
    ("horaires", "string", False, "Horaires d'ouverture habituels au format OpenStreetMap opening_hours."),
    ("presentation_resume", "string", False, "Courte présentation (280 caractères au plus)."),
    ("presentation_detail", "string", False, "Présentation détaillée."),
    ("source", "string", False, "Structure qui a collecté la donnée : le producteur du fichier importé, sinon "
                                "le nom du réseau."),
    ("itinerance", "string", False, "« Fixe » et/ou « Itinérant », séparés par « | »."),
    ("structure_parente", "string", False, "Réseau ou structure auquel le lieu appartient."),
    ("date_maj", "string", True, "Date de la dernière mise à jour ou confirmation (AAAA-MM-JJ)."),
    ("services", "string", False, "Services proposés (vocabulaire national), séparés par « | »."),
    ("publics_specifiquement_adresses", "string", False, "Publics accueillis en particulier, séparés par « | »."),
    ("prise_en_charge_specifique", "string", False, "Besoins particuliers pris en charge, séparés par « | »."),
    ("frais_a_charge", "string", False, "Conditions financières, séparées par « | »."),
    ("dispositif_programmes_nationaux", "string", False, "Dispositifs ou programmes nationaux, séparés par « | »."),
    ("formations_labels", "string", False, "Formations et labels, séparés par « | »."),
    ("autres_formations_labels", "string", False, "Autres formations ou labels, séparés par « | »."),
    ("modalites_acces", "string", False, "Comment accéder au lieu, séparé par « | »."),
    ("modalites_accompagnement", "string", False, "Types d'accompagnement, séparés par « | »."),
    ("fiche_acces_libre", "string", False, "Fiche du lieu sur acceslibre.beta.gouv.fr."),
    ("prise_rdv", "string", False, "Adresse de prise de rendez-vous en ligne."),
)


# Beyond the standard (serializers.EXTRA_FIELDS): in the JSON answers, after the 32 fields.
EXTRA_FIELDS = (
    ("id_source", "string", False, "Identifiant du lieu dans le fichier dont il a été importé (celui du "
                                   "producteur nommé par « source ») ; null pour un lieu saisi dans l'annuaire. "
                                   "Le couple (source, id_source) permet de rapprocher le lieu de sa fiche "
                                   "d'origine ; « id » reste l'identifiant du lieu ici."),
)


def _field(kind: str, required: bool, description: str, name: str) -> dict:
    schema = {"type": kind, "description": description}
    if name == "date_maj":
        schema["format"] = "date"
    if not required:
        schema["nullable"] = True
    return schema


def _record_schema() -> dict:
    return {
        "type": "object",
        "description": f"Un lieu au standard « Lieux de médiation numérique » {STANDARD_VERSION}, "
                       "champs dans l'ordre du schéma ; null pour un champ non renseigné.",
        "properties": {name: _field(kind, required, text, name)
                       for name, kind, required, text in FIELDS + EXTRA_FIELDS},
        "required": [name for name, *_ in FIELDS + EXTRA_FIELDS],
        "additionalProperties": False,
    }


def _found_schema() -> dict:
    schema = _record_schema()
    schema["description"] = "Un lieu au standard, avec sa distance au point quand lat et lon sont donnés."
    schema["properties"] = {**schema["properties"], "distance_km": {
        "type": "number", "minimum": 0, "description": "Distance à vol d'oiseau au point lat/lon, en km."}}
    return schema


def _error_schema() -> dict:
    return {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string", "description": "Message en français."},
            "status": {"type": "integer", "description": "Le code HTTP de la réponse."},
            "parametres": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "Pour une erreur 400 : un message par paramètre incorrect."},
        },
    }


def _change_schemas() -> dict:
    common = {
        "id": {"type": "string", "description": "Identifiant du lieu (le champ id du standard)."},
        "date_changement": {"type": "string", "format": "date-time", "description": "Moment du changement (UTC)."},
    }
    return {
        "Publication": {
            "type": "object", "required": ["id", "statut", "date_changement", "lieu"], "additionalProperties": False,
            "description": "Un lieu publié, créé ou modifié : la fiche complète.",
            "properties": {**common, "statut": {"type": "string", "enum": ["publie"]},
                           "lieu": {"$ref": "#/components/schemas/Lieu"}},
        },
        "Retrait": {
            "type": "object", "required": ["id", "statut", "date_changement"], "additionalProperties": False,
            "description": "Un lieu retiré de l'annuaire public : dépublié (ou sa structure suspendue), ou supprimé. "
                           "Seuls l'identifiant et le moment sont donnés : supprimez le lieu de votre copie.",
            "properties": {**common, "statut": {"type": "string", "enum": ["depublie", "supprime"]}},
        },
    }


def _schemas() -> dict:
    return {
        "Lieu": _record_schema(),
        "LieuTrouve": _found_schema(),
        "PageDeLieux": {
            "type": "object", "required": ["total", "page", "par_page", "pages", "lieux"],
            "properties": {
                "total": {"type": "integer", "minimum": 0, "description": "Nombre de lieux correspondant aux filtres."},
                "page": {"type": "integer", "minimum": 1},
                "par_page": {"type": "integer", "minimum": 1, "maximum": params.PER_PAGE_MAX},
                "pages": {"type": "integer", "minimum": 1, "description": "Numéro de la dernière page."},
                "lieux": {"type": "array", "items": {"$ref": "#/components/schemas/LieuTrouve"}},
            },
        },
        **_change_schemas(),
        "Changements": {
            "type": "object", "required": ["changements", "curseur_suivant", "suivant", "a_jour"],
            "properties": {
                "changements": {"type": "array", "description": "Du plus ancien au plus récent.", "items": {
                    "oneOf": [{"$ref": "#/components/schemas/Publication"},
                              {"$ref": "#/components/schemas/Retrait"}]}},
                "curseur_suivant": {"type": "string", "description": "À conserver : la prochaine synchronisation "
                                                                     "repart de là (paramètre curseur)."},
                "suivant": {"type": "string", "format": "uri", "description": "L'adresse de la suite du flux."},
                "a_jour": {"type": "boolean", "description": "Vrai quand il n'y a pas d'autre changement pour "
                                                            "l'instant ; faux : appelez « suivant » sans attendre."},
            },
        },
        "Erreur": _error_schema(),
    }


def _query(name: str, schema: dict, description: str, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}


def _list_parameters() -> list[dict]:
    return [
        _query("q", {"type": "string", "maxLength": params.TEXT_MAX},
               "Mots à chercher dans le nom, la présentation, la commune et les services (tous les mots, "
               "sans tenir compte des accents ni du pluriel). Les besoins du vocabulaire des habitants sont "
               "compris : « CAF », « impôts », « carte grise » trouvent les lieux qui aident aux démarches "
               "administratives, « smartphone » ceux qui aident à utiliser les outils numériques ; les lieux "
               "dont le texte contient aussi ces mots viennent en premier. Avec mots=exacts, seuls les mots "
               "sont cherchés.", example="démarches CAF"),
        _query("mots", {"type": "string", "enum": ["exacts"]},
               "« exacts » : q ne cherche que ses mots, sans les besoins qu'ils désignent.", example="exacts"),
        _query("code_postal", {"type": "string", "pattern": r"^\d{5}$"}, "Code postal exact.", example="44000"),
        _query("code_insee", {"type": "string", "pattern": r"^(\d{2}|2[ABab])\d{3}$"},
               "Code INSEE de la commune.", example="44109"),
        _query("commune", {"type": "string", "maxLength": params.TEXT_MAX},
               "Nom de la commune (sans tenir compte des majuscules).", example="Nantes"),
        _query("services", {"type": "array", "items": {"type": "string", "enum": list(SERVICES)}},
               "Lieux proposant au moins un de ces services. Répétez le paramètre, ou séparez les valeurs par "
               "« | ». Valeurs du vocabulaire national : " + " ; ".join(SERVICES) + ".",
               style="form", explode=True),
        _query("lat", {"type": "number", "minimum": -90, "maximum": 90},
               "Latitude du point de recherche (avec lon) : résultats du plus proche au plus loin.", example=47.2184),
        _query("lon", {"type": "number", "minimum": -180, "maximum": 180},
               "Longitude du point de recherche (avec lat).", example=-1.5536),
        _query("rayon_km", {"type": "number", "minimum": 0, "exclusiveMinimum": True,
                            "maximum": params.RADIUS_MAX_KM, "default": params.RADIUS_DEFAULT_KM},
               "Rayon autour de lat/lon, en kilomètres.", example=5),
        _query("bbox", {"type": "string", "maxLength": params.TEXT_MAX},
               "Rectangle ouest,sud,est,nord en degrés WGS84.", example="-1.65,47.15,-1.45,47.30"),
        _query("maj_depuis", {"type": "string", "format": "date"},
               "Lieux mis à jour (date_maj) ce jour-là ou après (AAAA-MM-JJ).", example="2026-01-01"),
        _query("page", {"type": "integer", "minimum": 1, "maximum": params.PAGE_MAX, "default": 1},
               "Numéro de page. Au-delà de la dernière, la liste est vide."),
        _query("par_page", {"type": "integer", "minimum": 1, "maximum": params.PER_PAGE_MAX,
                            "default": params.PER_PAGE_DEFAULT}, "Nombre de lieux par page."),
    ]


def _feed_parameters() -> list[dict]:
    return [
        _query("depuis", {"type": "string", "format": "date-time"},
               "Changements à partir de ce moment (ISO 8601 ; sans fuseau horaire, l'heure est en UTC ; "
               "encodez « + » en %2B). Sans depuis ni curseur : tout le flux depuis le début.",
               example="2026-01-31T08:00:00Z"),
        _query("curseur", {"type": "string", "maxLength": params.CURSOR_MAX},
               "Le curseur_suivant d'une réponse précédente : reprend exactement après le dernier changement "
               "reçu, même quand plusieurs lieux ont changé au même instant. Exclut depuis."),
        _query("limite", {"type": "integer", "minimum": 1, "maximum": params.FEED_LIMIT_MAX,
                          "default": params.FEED_LIMIT_DEFAULT}, "Nombre de changements au plus par réponse."),
    ]


def _header(kind: str, description: str, required: bool = False) -> dict:
    return {"schema": {"type": kind}, "description": description, "required": required}


def _json(schema: str, description: str, headers: dict | None = None) -> dict:
    response = {"description": description,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}
    if headers:
        response["headers"] = headers
    return response


CACHE_HEADERS = {
    "ETag": _header("string", "Empreinte du contenu : renvoyez-la dans If-None-Match.", True),
    "Cache-Control": _header("string", "public, max-age=60", True),
    "Access-Control-Allow-Origin": _header("string", "« * » : l'API est utilisable depuis tout site.", True),
}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": _header("integer", "Requêtes permises par période (RATELIMIT_API) et par adresse IP."),
    "X-RateLimit-Remaining": _header("integer", "Requêtes qui restent sur la période en cours."),
    "X-RateLimit-Reset": _header("integer", "Fin de la période en cours (secondes depuis le 1er janvier 1970, UTC)."),
}
CACHE_HEADERS = {**CACHE_HEADERS, **RATE_LIMIT_HEADERS}
RETRY = {"Retry-After": _header("integer", "Secondes à attendre avant de réessayer."), **RATE_LIMIT_HEADERS}


def _responses(ok: dict, *extra: int) -> dict:
    responses = {"200": ok, "304": {"description": "Non modifié : le contenu a la même ETag que If-None-Match."},
                 "400": _json("Erreur", "Paramètre incorrect : un message par paramètre dans « parametres »."),
                 "429": _json("Erreur", "Trop de requêtes : attendez Retry-After secondes.", RETRY)}
    if 404 in extra:
        responses["404"] = _json("Erreur", "Ce lieu n'existe pas ou n'est plus publié.")
    if 503 in extra:
        responses["503"] = _json("Erreur", "Recherche par texte (q) momentanément indisponible : index en "
                                           "reconstruction.", RETRY)
    return responses


def _example(description: str, path: str, **query) -> dict:
    return {"description": description, "requete": path + ("?" + urlencode(query, doseq=True) if query else "")}


def _place_examples(example_id: str | None) -> dict:
    """The example of « Lire la fiche d'un lieu »: a place that is published, or a word saying there is none."""
    if example_id is None:
        return {"x-exemples": [], "x-sans-exemple": "Aucun lieu n'est publié pour l'instant : l'exemple viendra "
                                                    "avec le premier lieu publié."}
    return {"x-exemples": [_example("Une fiche", f"/lieux/{example_id}")]}


def _paths(example_id: str | None) -> dict:
    list_headers = {**CACHE_HEADERS,
                    "X-Total-Count": _header("integer", "Nombre total de lieux correspondant aux filtres.", True),
                    "Link": _header("string", "Liens RFC 8288 first, prev, next, last (adresses absolues).", True)}
    return {
        "/lieux": {"get": {
            "operationId": "lister_lieux", "tags": ["Lieux"], "summary": "Lister et filtrer les lieux publiés",
            "description": "Les lieux publics du réseau, filtrés et paginés. Tous les filtres se cumulent. "
                           "Ordre : du plus proche au plus loin avec lat/lon, sinon stable d'une page à l'autre.",
            "parameters": _list_parameters(),
            "responses": _responses(_json("PageDeLieux", "Une page de lieux.", list_headers), 503),
            "x-exemples": [
                _example("Les lieux d'un code postal", "/lieux", code_postal="44000"),
                _example("Aide aux démarches à moins de 5 km d'un point", "/lieux", lat=47.2184, lon=-1.5536,
                         rayon_km=5, services="Aide aux démarches administratives"),
                _example("Recherche par mots, 100 par page", "/lieux", q="atelier tablette", par_page=100),
                _example("Lieux mis à jour depuis le 1er janvier 2026", "/lieux", maj_depuis="2026-01-01"),
            ],
        }},
        "/lieux/{id}": {"get": {
            "operationId": "lire_lieu", "tags": ["Lieux"], "summary": "Lire la fiche d'un lieu",
            "description": "La fiche d'un lieu publié, au standard. 404 pour un lieu dépublié ou supprimé.",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "Le champ id du lieu."}],
            "responses": _responses(_json("Lieu", "La fiche du lieu.", CACHE_HEADERS), 404),
            **_place_examples(example_id),
        }},
        "/lieux/changements": {"get": {
            "operationId": "flux_changements", "tags": ["Synchronisation"],
            "summary": "Suivre les changements (synchronisation incrémentale)",
            "description": "Les lieux créés, modifiés, dépubliés ou supprimés, du plus ancien changement au plus "
                           "récent. Un lieu publié vient avec sa fiche ; un lieu retiré (dépublié, structure "
                           "suspendue, supprimé) vient seul, avec son id et le moment : retirez-le de votre copie. "
                           "Gardez curseur_suivant et repartez de là à la synchronisation suivante.",
            "parameters": _feed_parameters(),
            "responses": _responses(_json("Changements", "Une page du flux.", CACHE_HEADERS)),
            "x-exemples": [
                _example("Tous les changements depuis le 31 janvier 2026 à 8 h UTC", "/lieux/changements",
                         depuis="2026-01-31T08:00:00Z"),
                _example("La suite, avec le curseur_suivant reçu", "/lieux/changements",
                         curseur=params.encode_cursor(datetime(2026, 1, 31, 8, 0, 12, 345678), 42)),
            ],
        }},
        "/openapi.json": {"get": {
            "operationId": "openapi", "tags": ["Documentation"], "summary": "Ce document OpenAPI",
            "responses": {"200": {"description": "Le document OpenAPI 3.0 de l'API.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "304": {"description": "Non modifié."}},
            "x-exemples": [_example("Le document", "/openapi.json")],
        }},
    }


def document(example_id: str | None = None) -> dict:
    """The OpenAPI document (a new dict at each call: callers may change their copy); ``example_id``
    is a published place's id, for the example of reading one place."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "API des lieux de médiation numérique",
            "version": "1.0.0",
            "description": "Les lieux d'inclusion numérique publiés par le réseau, au standard national "
                           f"« Lieux de médiation numérique » {STANDARD_VERSION}, en lecture seule, sans "
                           "inscription. Réponses en JSON, erreurs en français. Utilisable depuis un navigateur "
                           "(CORS). Limite : un nombre de requêtes par minute et par adresse IP (réponse 429 "
                           "au-delà). Les réponses portent une ETag : renvoyez-la dans If-None-Match pour "
                           "recevoir 304 quand rien n'a changé.",
            "license": LICENCE,
        },
        "externalDocs": {"description": "Le standard national", "url": STANDARD_HOMEPAGE},
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": "Lieux", "description": "Chercher et lire les lieux."},
                 {"name": "Synchronisation", "description": "Tenir une copie à jour sans tout retélécharger."},
                 {"name": "Documentation", "description": "Ce document."}],
        "paths": _paths(example_id),
        "components": {"schemas": _schemas()},
    }


def operations(spec: dict):
    """(path, method, operation) for the docs page, in the document's order."""
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def curl(base_url: str, example: dict) -> str:
    return f"curl -i '{base_url.rstrip('/')}{example['requete']}'"
