"""Demo network around Nantes / Loire-Atlantique, written for Maillage (no copied dataset).

Organisations, places and people are invented; communes, postcodes and INSEE codes are real, and
coordinates fall within each commune. Everything is deterministic (seeded random) and written in
one transaction, every place checked by the same validation as the partner form and written through
the places' one write path (``services.writes``).
"""
import random
import unicodedata

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from stdnum import luhn

from coordination import audit
from coordination.auth.models import Organisation, User
from coordination.core.clock import utcnow
from coordination.directory import hours, validation
from coordination.directory.models import NetworkLabel
from coordination.directory.services import writes
from coordination.extensions import db
from coordination.testing.factories import make_member, make_organisation, make_user
from coordination.vocabularies import (
    ACCESS_MODES,
    KIND_TO_TYPOLOGY,
    PUBLICS,
    SERVICES,
    SPECIFIC_SUPPORT,
    SUPPORT_MODES,
)

PASSWORD = "demo-maillage-44"
DOMAIN = "demo.maillage.fr"
COORDINATOR_EMAIL = f"coordination@{DOMAIN}"

# commune key -> (commune, postcode, INSEE code, latitude, longitude, streets)
COMMUNES = {
    "nantes-centre": ("Nantes", "44000", "44109", 47.2155, -1.5545,
                      ["rue de Strasbourg", "rue du Calvaire", "allée Baco", "rue Paul Bellamy"]),
    "nantes-bellevue": ("Nantes", "44100", "44109", 47.2135, -1.6065,
                        ["place Mendès-France", "rue Jean-Marc Nattier", "boulevard Jean Moulin"]),
    "nantes-ile": ("Nantes", "44200", "44109", 47.2065, -1.5480,
                   ["boulevard de la Prairie au Duc", "quai François Mitterrand", "rue La Noue Bras de Fer"]),
    "nantes-est": ("Nantes", "44300", "44109", 47.2330, -1.5150,
                   ["rue de la Bottière", "route de Sainte-Luce", "boulevard des Poilus"]),
    "nantes-nord": ("Nantes", "44300", "44109", 47.2545, -1.5620,
                    ["boulevard Becquerel", "rue de la Petite Sensive", "route de la Chapelle-sur-Erdre"]),
    "saint-herblain": ("Saint-Herblain", "44800", "44162", 47.2120, -1.6500,
                       ["rue de l’Hôtel de Ville", "avenue des Thébaudières", "boulevard Salvador Allende",
                        "rue François Rabelais"]),
    "reze": ("Rezé", "44400", "44143", 47.1850, -1.5600,
             ["rue Jean Jaurès", "avenue de la Libération", "rue Alsace-Lorraine"]),
    "saint-nazaire": ("Saint-Nazaire", "44600", "44184", 47.2740, -2.2140,
                      ["avenue de la République", "rue Albert de Mun", "boulevard Laënnec", "rue de Pornichet"]),
    "orvault": ("Orvault", "44700", "44114", 47.2710, -1.6220,
                ["rue Alexandre Goupil", "avenue de la Ferrière", "place de la Bugallière"]),
    "vertou": ("Vertou", "44120", "44215", 47.1690, -1.4700,
               ["rue de l’Ile de France", "place du Beau Verger", "rue de la Garenne"]),
    "carquefou": ("Carquefou", "44470", "44026", 47.2970, -1.4920,
                  ["rue de la Mairie", "boulevard de l’Epinay", "rue des Renaudières"]),
    "la-baule": ("La Baule-Escoublac", "44500", "44055", 47.2870, -2.3910,
                 ["avenue Marie-Louise", "avenue du Général de Gaulle", "place des Salines"]),
    "chateaubriant": ("Châteaubriant", "44110", "44036", 47.7170, -1.3760,
                      ["rue Aristide Briand", "place Charles de Gaulle", "rue de Couëré"]),
    "ancenis": ("Ancenis-Saint-Géréon", "44150", "44003", 47.3655, -1.1775,
                ["place du Millénaire", "rue Aristide Briand", "boulevard Joubert"]),
    "clisson": ("Clisson", "44190", "44043", 47.0870, -1.2820,
                ["rue du Docteur Boutin", "place du Minage", "rue de la Collégiale"]),
    "pornic": ("Pornic", "44210", "44131", 47.1150, -2.1000,
               ["rue de Verdun", "rue du Maréchal Foch", "boulevard de l’Océan"]),
    "blain": ("Blain", "44130", "44015", 47.4760, -1.7630,
              ["rue Charles de Gaulle", "place Jean Guilloux", "rue de la Gare"]),
    "savenay": ("Savenay", "44260", "44195", 47.3600, -1.9420,
                ["place Guépin", "rue de Nantes", "avenue du Parc des Sports"]),
    "guerande": ("Guérande", "44350", "44069", 47.3285, -2.4295,
                 ["faubourg Saint-Michel", "rue du Pavé de Beaulieu", "boulevard Emile Pourieux"]),
    "machecoul": ("Machecoul-Saint-Même", "44270", "44087", 46.9935, -1.8225,
                  ["place de l’Eglise", "rue de la Taillée", "boulevard Saint-Rémy"]),
    "nort": ("Nort-sur-Erdre", "44390", "44110", 47.4390, -1.4985,
             ["rue Aristide Briand", "quai Saint-Georges", "rue du Général Leclerc"]),
    "coueron": ("Couëron", "44220", "44047", 47.2160, -1.7230,
                ["place Charles de Gaulle", "rue de la Loire", "boulevard de l’Europe"]),
    "bouguenais": ("Bouguenais", "44340", "44020", 47.1780, -1.6230,
                   ["rue de la Commune de 1871", "place de l’Eglise", "rue Jean Jaurès"]),
    "sainte-luce": ("Sainte-Luce-sur-Loire", "44980", "44172", 47.2500, -1.4860,
                    ["rue de la Loire", "avenue de la Libération", "rue Jean Moulin"]),
    "saint-sebastien": ("Saint-Sébastien-sur-Loire", "44230", "44190", 47.2075, -1.5030,
                        ["rue de la Libération", "place Marcellin Verbe", "boulevard des Pas Enchantés"]),
    "pontchateau": ("Pontchâteau", "44160", "44129", 47.4385, -2.0895,
                    ["rue du Calvaire", "place de l’Hôtel de Ville", "rue Maurice Sambron"]),
}

# key -> (name, kind, status)
ORGANISATIONS = {
    "connecteurs": ("Les Connecteurs de l’Erdre", "association", "active"),
    "estuaire": ("Numérique solidaire Estuaire", "association", "active"),
    "clic-sud": ("Clic & Lien Sud-Loire", "association", "active"),
    "ordi-recup": ("Ordi-Récup 44", "association", "active"),
    "ccas-herblain": ("CCAS de Saint-Herblain", "ccas", "active"),
    "cias-chateaubriant": ("CIAS du Pays de Châteaubriant", "ccas", "active"),
    "fs-ancenis": ("France Services du Pays d’Ancenis", "france_services", "active"),
    "fs-retz": ("France Services Sud-Retz Atlantique", "france_services", "active"),
    "media-presquile": ("Réseau des médiathèques de la Presqu’île", "mediatheque", "active"),
    "media-orvault": ("Médiathèques d’Orvault", "mediatheque", "active"),
    "cs-bellevue": ("Centre socioculturel Bellevue-Chantenay", "centre_social", "active"),
    "cs-vignoble": ("Centre social du Vignoble", "centre_social", "active"),
    "ville-coueron": ("Ville de Couëron", "commune", "active"),
    "departement": ("Département de Loire-Atlantique", "departement", "active"),
    "fabrique": ("La Fabrique numérique, tiers-lieu coopératif", "other", "active"),
    "ateliers-clic": ("Les Ateliers du Clic", "association", "pending"),
}

# (organisation, commune, place name)
PLACES = [
    ("connecteurs", "nort", "Point numérique de Nort-sur-Erdre"),
    ("connecteurs", "carquefou", "Atelier numérique de Carquefou"),
    ("connecteurs", "sainte-luce", "Espace connecté de Sainte-Luce"),
    ("connecteurs", "nantes-nord", "Les Connecteurs — antenne Nantes Nord"),
    ("connecteurs", "carquefou", "Permanence numérique de la Mairie de Carquefou"),
    ("estuaire", "saint-nazaire", "Cyber-espace du centre-ville de Saint-Nazaire"),
    ("estuaire", "saint-nazaire", "Atelier numérique de Méan-Penhoët"),
    ("estuaire", "savenay", "Point numérique de Savenay"),
    ("estuaire", "pontchateau", "Espace numérique de Pontchâteau"),
    ("estuaire", "saint-nazaire", "Permanence numérique de la Bouletterie"),
    ("clic-sud", "reze", "Clic & Lien Rezé"),
    ("clic-sud", "bouguenais", "Clic & Lien Bouguenais"),
    ("clic-sud", "vertou", "Clic & Lien Vertou"),
    ("clic-sud", "saint-sebastien", "Clic & Lien Saint-Sébastien"),
    ("clic-sud", "reze", "Atelier seniors du Château de Rezé"),
    ("ordi-recup", "nantes-ile", "Ordi-Récup — boutique solidaire de l’île de Nantes"),
    ("ordi-recup", "saint-herblain", "Ordi-Récup — atelier de reconditionnement"),
    ("ordi-recup", "saint-nazaire", "Ordi-Récup — boutique de Saint-Nazaire"),
    ("ccas-herblain", "saint-herblain", "CCAS de Saint-Herblain — accueil numérique"),
    ("ccas-herblain", "saint-herblain", "Maison des solidarités du Sillon"),
    ("ccas-herblain", "saint-herblain", "Point numérique du Bourg"),
    ("cias-chateaubriant", "chateaubriant", "CIAS — espace numérique de Châteaubriant"),
    ("cias-chateaubriant", "chateaubriant", "Permanence numérique de la Ville-aux-Roses"),
    ("cias-chateaubriant", "chateaubriant", "Point d’accès numérique de la Gare"),
    ("fs-ancenis", "ancenis", "France Services d’Ancenis-Saint-Géréon"),
    ("fs-ancenis", "ancenis", "Point numérique de la Maison de l’emploi"),
    ("fs-ancenis", "nort", "France Services — permanence de Nort-sur-Erdre"),
    ("fs-retz", "machecoul", "France Services de Machecoul-Saint-Même"),
    ("fs-retz", "pornic", "France Services de Pornic"),
    ("fs-retz", "machecoul", "Espace numérique de la Taillée"),
    ("media-presquile", "guerande", "Médiathèque Samuel-Beckett — espace multimédia"),
    ("media-presquile", "la-baule", "Médiathèque de La Baule — atelier numérique"),
    ("media-presquile", "guerande", "Bibliothèque de la Madeleine"),
    ("media-presquile", "la-baule", "Espace numérique d’Escoublac"),
    ("media-orvault", "orvault", "Médiathèque Ormédo — espace numérique"),
    ("media-orvault", "orvault", "Bibliothèque du Petit-Chantilly"),
    ("cs-bellevue", "nantes-bellevue", "Centre socioculturel de Bellevue — point numérique"),
    ("cs-bellevue", "nantes-bellevue", "Maison de quartier de Chantenay — atelier numérique"),
    ("cs-bellevue", "nantes-centre", "Permanence numérique du centre-ville"),
    ("cs-vignoble", "clisson", "Centre social du Vignoble — espace numérique de Clisson"),
    ("cs-vignoble", "vertou", "Point numérique du Beau Verger"),
    ("cs-vignoble", "clisson", "Atelier numérique des familles"),
    ("ville-coueron", "coueron", "Mairie de Couëron — accueil numérique"),
    ("ville-coueron", "coueron", "Espace numérique de la Chabossière"),
    ("ville-coueron", "coueron", "Point numérique du Port-Launay"),
    ("departement", "nantes-centre", "Espace départemental des solidarités de Nantes"),
    ("departement", "saint-nazaire", "Espace départemental des solidarités de Saint-Nazaire"),
    ("departement", "chateaubriant", "Espace départemental des solidarités de Châteaubriant"),
    ("departement", "ancenis", "Espace départemental des solidarités d’Ancenis"),
    ("departement", "blain", "Espace départemental des solidarités de Blain"),
    ("departement", "pornic", "Espace départemental des solidarités de Pornic"),
    ("departement", "blain", "Bus numérique du Département"),
    ("fabrique", "nantes-est", "La Fabrique numérique — Bottière"),
    ("fabrique", "nantes-est", "Repair café numérique de Doulon"),
    ("fabrique", "blain", "La Fabrique numérique — tiers-lieu de Blain"),
    ("fabrique", "nantes-ile", "Fablab de l’île"),
    ("clic-sud", "bouguenais", "Atelier numérique des Couëts"),
    ("connecteurs", "sainte-luce", "Permanence numérique de la Maison des associations"),
    ("estuaire", "savenay", "Atelier emploi et numérique de Savenay"),
    ("ccas-herblain", "saint-herblain", "Point numérique de Preux"),
]

# (organisation, role, first name, last name)
PEOPLE = [
    ("connecteurs", "admin", "Maëlle", "Guérin"),
    ("connecteurs", "member", "Yanis", "Bouchard"),
    ("ccas-herblain", "admin", "Sophie", "Le Bihan"),
    ("ccas-herblain", "member", "Thomas", "Rialland"),
    ("departement", "admin", "Nadia", "Cherkaoui"),
    ("departement", "member", "Pierre-Yves", "Joubert"),
    ("media-presquile", "admin", "Gwenaëlle", "Tanguy"),
    ("fs-retz", "admin", "Antoine", "Moreau"),
    ("ateliers-clic", "admin", "Inès", "Dupré"),
]

WEEKS = [  # (OSM editor week, expert rules)
    ({d: [("09:00", "12:00"), ("14:00", "17:30")] for d in ("Mo", "Tu", "We", "Th", "Fr")}, "PH off"),
    ({"Tu": [("14:00", "18:00")], "We": [("10:00", "12:30"), ("14:00", "18:00")], "Fr": [("14:00", "18:00")],
      "Sa": [("10:00", "17:00")]}, "PH off"),
    ({d: [("08:30", "12:30"), ("13:30", "17:00")] for d in ("Mo", "Tu", "We", "Th")} | {"Fr": [("08:30", "12:00")]}, ""),
    ({"Mo": [("14:00", "17:00")], "We": [("14:00", "17:00")], "Fr": [("14:00", "17:00")]}, ""),
    ({"Tu": [("09:00", "12:00")], "Th": [("09:00", "12:00")]}, "PH off"),
    ({d: [("09:30", "12:30"), ("13:30", "18:00")] for d in ("Tu", "We", "Th", "Fr")} | {"Sa": [("09:30", "12:30")]}, ""),
    ({d: [("10:00", "19:00")] for d in ("Mo", "Tu", "We", "Th", "Fr", "Sa")}, "PH off"),
]

SUMMARIES = {
    "association": "Accompagnement gratuit aux usages du numérique\u00a0: ordinateur, smartphone, démarches en ligne.",
    "ccas": "Aide aux démarches administratives en ligne et accès à un ordinateur, sur rendez-vous ou sans.",
    "france_services": "Un guichet unique pour vos démarches\u00a0: CAF, impôts, retraite, santé, emploi, avec un conseiller.",
    "mediatheque": "Postes en accès libre, wifi, ateliers d’initiation et de création numérique pour tous les âges.",
    "centre_social": "Ateliers collectifs et aide individuelle au numérique, en lien avec les familles du quartier.",
    "commune": "Accueil numérique de la mairie\u00a0: démarches, accès internet et orientation vers les bons interlocuteurs.",
    "departement": "Accompagnement social et numérique\u00a0: droits, démarches en ligne, accès aux services publics.",
    "other": "Tiers-lieu ouvert\u00a0: fablab, réparation de matériel, ateliers de découverte du numérique.",
}

KIND_SERVICES = {
    "association": ["Maîtrise des outils numériques du quotidien", "Aide aux démarches administratives",
                    "Utilisation sécurisée du numérique", "Compréhension du monde numérique"],
    "ccas": ["Aide aux démarches administratives", "Accès internet et matériel informatique"],
    "france_services": ["Aide aux démarches administratives", "Insertion professionnelle via le numérique"],
    "mediatheque": ["Accès internet et matériel informatique", "Loisirs et créations numériques",
                    "Maîtrise des outils numériques du quotidien"],
    "centre_social": ["Maîtrise des outils numériques du quotidien", "Parentalité et éducation avec le numérique"],
    "commune": ["Aide aux démarches administratives", "Accès internet et matériel informatique"],
    "departement": ["Aide aux démarches administratives", "Insertion professionnelle via le numérique"],
    "other": ["Loisirs et créations numériques", "Compréhension du monde numérique",
              "Accès internet et matériel informatique"],
}


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


def _siret(rng: random.Random) -> str:
    """A made-up SIRET that passes the Luhn checks (SIREN and SIRET), like a public body's "2…" SIREN."""
    siren = str(rng.randrange(21_440_000, 21_449_999))
    siren += luhn.calc_check_digit(siren)
    nic = f"{rng.randrange(1, 999):03d}0"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def _pivot(kind: str, rng: random.Random) -> str:
    return f"W44{rng.randrange(3_000_000, 3_999_999):07d}" if kind == "association" else _siret(rng)


def _phone(rng: random.Random) -> str:
    return rng.choice(("+33240", "+33251", "+33228")) + f"{rng.randrange(0, 999_999):06d}"


# The condition behind « Gratuit sous condition » (issue 18), and the prices of a paying place.
FEE_DETAILS = {
    "Gratuit sous condition": "Gratuit pour les demandeurs d’emploi et les bénéficiaires des minima sociaux, "
                              "2\u00a0€ la séance sinon.",
    "Payant": "Ordinateurs reconditionnés de 90 à 200\u00a0€, paiement en plusieurs fois possible.",
}


def _place_data(rng: random.Random, kind: str, organisation_key: str, commune_key: str, name: str) -> dict:
    commune, postcode, insee, latitude, longitude, streets = COMMUNES[commune_key]
    week, extra = rng.choice(WEEKS)
    itinerant = name.startswith("Bus")
    services = list(KIND_SERVICES[kind]) + ([rng.choice(SERVICES)] if rng.random() < 0.5 else [])
    programmes = ["Conseillers numériques"] if rng.random() < 0.6 else []
    if kind == "france_services":
        programmes += ["France Services", "Aidants Connect"]
    if kind in ("ccas", "departement") and rng.random() < 0.5:
        programmes.append("Aidants Connect")
    if organisation_key == "ordi-recup":
        services.append("Acquisition de matériel informatique à prix solidaire")
    local = slug(name)[:40].strip("-")
    data = {
        "name": name,
        "address": "Tournées dans les communes du nord du département" if itinerant
        else f"{rng.randrange(1, 60)} {rng.choice(streets)}",
        "address_complement": rng.choice([None, None, "Rez-de-chaussée", "1er étage", "Entrée par la cour"]),
        "postcode": postcode, "commune": commune, "insee_code": insee,
        "latitude": round(latitude + rng.uniform(-0.006, 0.006), 5),
        "longitude": round(longitude + rng.uniform(-0.008, 0.008), 5),
        "coordinates_source": "manual",
        "opening_hours": hours.join({d: list(r) for d, r in week.items()}, extra),
        "phone": _phone(rng),
        "emails": [f"{local}@{DOMAIN}"],
        "website": f"https://{slug(ORGANISATIONS[organisation_key][0])[:30].strip('-')}.{DOMAIN}",
        "appointment_url": f"https://rdv.{DOMAIN}/{local}" if rng.random() < 0.3 else None,
        "summary": SUMMARIES[kind],
        "description": f"{name} accueille les habitants de {commune} et des environs. "
                       "Venez avec vos identifiants et vos documents si vous avez une démarche à faire.",
        "services": services,
        "publics": rng.sample(PUBLICS, rng.randrange(0, 3)),
        "specific_support": rng.sample(SPECIFIC_SUPPORT, rng.choice((0, 0, 1, 2))),
        "fees": ["Payant"] if organisation_key == "ordi-recup" else rng.choice((["Gratuit"], ["Gratuit"],
                                                                                ["Gratuit sous condition"])),
        "programmes": programmes,
        "access_modes": rng.sample(ACCESS_MODES[:4], rng.randrange(1, 4)),
        "support_modes": rng.sample(SUPPORT_MODES, rng.randrange(1, 4)),
        "itinerance": ["Itinérant"] if itinerant else ["Fixe"],
        "typology": ["TIERS_LIEUX"] if kind == "other" else [KIND_TO_TYPOLOGY[kind]],
    }
    return {**data, "fee_details": FEE_DETAILS.get(data["fees"][0])}  # after the draws: the same demo


# The network's own labels (issue 18): code, name, description, organisations whose places carry it.
NETWORK_LABELS = (
    ("accepte-le-pass-numerique", "Accepte le Pass numérique",
     "Le lieu accepte les chèques Pass numérique\u00a0: un carnet de chèques donne droit à des ateliers ou à un "
     "accompagnement sans frais.", ("connecteurs", "clic-sud", "ccas-herblain", "fs-ancenis", "media-orvault")),
    ("charte-accueil-numerique-44", "Charte de l’accueil numérique en Loire-Atlantique",
     "Le lieu s’engage à accueillir sans rendez-vous au moins une demi-journée par semaine et à orienter "
     "vers un autre lieu du réseau quand il ne peut pas aider.", ("estuaire", "clic-sud", "cs-bellevue")),
)


def _network_labels() -> dict[str, list[int]]:
    """The demo's labels (those already there kept); organisation key -> the ids of the labels its
    places carry."""
    carried: dict[str, list[int]] = {}
    for code, name, description, organisation_keys in NETWORK_LABELS:
        label = db.session.scalar(select(NetworkLabel).where(NetworkLabel.code == code))
        if label is None:
            label = NetworkLabel(code=code, name=name, description=description)
            db.session.add(label)
            db.session.flush()
        for key in organisation_keys:
            carried.setdefault(key, []).append(label.id)
    return carried


class DemoRefused(Exception):
    """The demo network is not allowed here (production): its accounts have a public password."""


def seed(*, if_empty: bool, echo) -> None:
    """Creates the demo network. With ``if_empty``, does nothing when organisations exist; without
    it, refuses to create the network twice. Refused (DemoRefused) unless DEMO_SEED_ALLOWED."""
    if not current_app.config.get("DEMO_SEED_ALLOWED"):
        raise DemoRefused(_("Le réseau de démonstration n'est pas créé en production : son compte de coordination "
                            "a un mot de passe public. Créez les comptes avec « %(command)s », "
                            "ou lancez la démonstration avec %(setting)s sur une autre base.",
                            command="flask users create-coordinator", setting="MAILLAGE_ENV=development"))
    if if_empty and db.session.scalar(select(Organisation.id).limit(1)) is not None:
        echo(_("Des organisations existent déjà : le réseau de démonstration n'est pas créé."))
        return
    if db.session.scalar(select(User.id).where(User.email == COORDINATOR_EMAIL)) is not None:
        echo(_("Le réseau de démonstration existe déjà : rien à faire."))
        return
    rng = random.Random(44)
    try:
        counts = _create(rng)
        writes.commit(counts["place_ids"])
    except Exception:
        db.session.rollback()
        raise
    echo(_("Réseau de démonstration créé : %(organisations)s organisations, %(places)s lieux, %(users)s comptes.",
           organisations=counts["organisations"], places=counts["places"], users=counts["users"]))
    echo(_("Mot de passe de tous les comptes : %(password)s", password=PASSWORD))
    echo("  " + _("coordination : %(email)s", email=COORDINATOR_EMAIL))
    for email, organisation, role in counts["accounts"]:
        # Quoted: « du CCAS », « du Département » cannot be told from the name alone.
        line = (_("administrateur de « %(organisation)s » : %(email)s", organisation=organisation, email=email)
                if role == "admin" else
                _("membre de « %(organisation)s » : %(email)s", organisation=organisation, email=email))
        echo("  " + line)


def _create(rng: random.Random) -> dict:
    # The factories the suite uses, with the application's password hashing and one transaction.
    coordinator = make_user(COORDINATOR_EMAIL, name="Claire Le Goff", coordinator=True, password=PASSWORD,
                            quick=False, commit=False)

    organisations = {}
    for key, (name, kind, status) in ORGANISATIONS.items():
        organisations[key] = make_organisation(
            name, kind=kind, status=status, pivot=_pivot(kind, rng),
            contact_email=f"contact@{slug(name)[:30].strip('-')}.{DOMAIN}", contact_phone=_phone(rng), commit=False)

    db.session.flush()  # the organisations' ids
    carried = _network_labels()
    now, places = utcnow(), []
    for organisation_key, commune_key, name in PLACES:
        kind = ORGANISATIONS[organisation_key][1]
        data = _place_data(rng, kind, organisation_key, commune_key, name)
        cleaned = validation.clean_place({**data, "network_labels": carried.get(organisation_key, [])})
        places.append(writes.new_place(cleaned, organisation_id=organisations[organisation_key].id, now=now,
                                       source="manual"))
    place_ids = writes.insert_places(places)

    accounts = []
    for organisation_key, role, first_name, last_name in PEOPLE:
        email = f"{slug(first_name)}.{slug(last_name)}@{DOMAIN}"
        make_member(organisations[organisation_key], role=role, email=email, name=f"{first_name} {last_name}",
                    password=PASSWORD, quick=False, commit=False)
        accounts.append((email, ORGANISATIONS[organisation_key][0], role))

    db.session.flush()
    audit.record(coordinator, "demo.seed", "network", "demo", places=len(PLACES))
    return {"organisations": len(organisations), "places": len(PLACES), "users": len(PEOPLE) + 1,
            "accounts": accounts, "place_ids": place_ids}
