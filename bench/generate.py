"""A national-scale directory for the benchmark, in the national standard 1.0.1 (CSV).

Deterministic: the same seed and the same number of places give the same file, byte for byte.
Places are spread over the communes of ``bench/communes.py`` (metropolitan France and the DROM) in
proportion to their weight, jittered around the town centre; about four places per organisation,
each organisation with a SIRET whose check digit is right (Luhn, as the import checks it).

    python -m bench.generate [PATH]          # BENCH_PLACES places (100,000 by default), BENCH_SEED
"""
import csv
import os
import random
import sys
import unicodedata
import uuid
from datetime import date, timedelta
from pathlib import Path

import phonenumbers
from stdnum import luhn
from stdnum.fr import siret as stdnum_siret

from bench.communes import COMMUNES
from coordination.directory.serializers import SEPARATOR, STANDARD_FIELDS
from coordination.vocabularies import (
    ACCESS_MODES, FEES, LABELS, PROGRAMMES, PUBLICS, SERVICES, SPECIFIC_SUPPORT, SUPPORT_MODES,
)

DEFAULT_PLACES = 100_000
DEFAULT_SEED = 20260101
DEFAULT_PATH = Path(__file__).resolve().parent / "work" / "lieux-bench.csv"
SOURCE = "Maillage (annuaire de banc d'essai)"
FIRST_DAY, LAST_DAY = date(2024, 1, 1), date(2025, 12, 31)

# Organisation kinds: (typology code, how the organisation is named, how its places are named).
KINDS = (
    ("MUNI", "Ville de {commune}", ("Espace numérique", "Point numérique", "Espace public numérique")),
    ("BIB", "Réseau des médiathèques de {commune}", ("Médiathèque", "Bibliothèque")),
    ("RFS", "France Services {commune}", ("France Services",)),
    ("CCAS", "CCAS de {commune}", ("CCAS", "Point numérique CCAS")),
    ("CS", "Centre social {name}", ("Centre social", "Espace de vie sociale")),
    ("ASSO", "Association {name}", ("Atelier numérique", "Espace numérique", "Repair café numérique")),
    ("MJC", "MJC {name}", ("MJC", "Cyberbase")),
    ("PIMMS", "PIMMS Médiation {commune}", ("PIMMS", "Point d'information médiation")),
    ("TIERS_LIEUX", "Tiers-lieu {name}", ("Tiers-lieu", "Fablab")),
)
KIND_WEIGHTS = (20, 16, 10, 8, 12, 18, 5, 4, 7)
CAF_POINT = "Point numérique CAF"  # a place name, and the programme "Point d'accès numérique CAF"

PEOPLE = (
    "Jules Verne", "Victor Hugo", "Louise Michel", "Simone Veil", "Jean Moulin", "Marie Curie", "Aimé Césaire",
    "George Sand", "Jean Jaurès", "Olympe de Gouges", "Colette", "Albert Camus", "Gisèle Halimi", "Jean Zay",
    "Lucie Aubrac", "Joséphine Baker", "Léopold Sédar Senghor", "Germaine Tillion", "Pierre Mendès France",
    "Rosa Parks", "Nelson Mandela", "Françoise Dolto", "Boris Vian", "Jacques Prévert", "Marguerite Duras",
    "Émile Zola", "Paul Éluard", "Condorcet", "Voltaire", "Molière", "Louis Pasteur", "Alan Turing",
    "Ada Lovelace", "Hedy Lamarr", "Frantz Fanon", "Maryse Condé", "Édouard Glissant", "Anne Frank",
)
QUARTERS = (
    "du Centre", "de la Gare", "des Quatre-Vents", "Bellevue", "des Tilleuls", "du Port", "des Érables",
    "de la Plaine", "du Moulin", "des Coteaux", "du Vieux-Bourg", "de l'Europe", "des Acacias", "du Château",
    "Saint-Jacques", "des Lilas", "du Val", "de la Source", "des Peupliers", "Les Hauts", "du Marché",
)
STREET_KINDS = ("rue", "rue", "rue", "avenue", "boulevard", "place", "allée", "impasse", "chemin", "quai")
STREET_NAMES = (*PEOPLE, "de la République", "de la Liberté", "du Général de Gaulle", "de la Paix", "des Écoles",
                "de la Mairie", "du 8 Mai 1945", "du 11 Novembre", "des Fleurs", "de Verdun", "Pasteur",
                "de la Fontaine", "des Anciens Combattants", "du Stade", "de l'Église")
COMPLEMENTS = ("Bâtiment B", "1er étage", "Rez-de-chaussée", "Entrée par la cour", "Porte 2", "Espace Jeunesse",
               "Au fond du couloir à droite", "Local associatif")

SUMMARIES = (
    "Accompagnement aux démarches administratives en ligne : CAF, impôts, ANTS, France Travail.",
    "Ateliers pour apprendre à utiliser un smartphone, une tablette ou un ordinateur.",
    "Postes informatiques en accès libre avec connexion internet et imprimante.",
    "Aide à la création d'une adresse électronique et à la sécurité en ligne.",
    "Accompagnement individuel sur rendez-vous pour l'emploi et la rédaction de CV.",
    "Initiation au numérique pour les seniors, à leur rythme.",
    "Découverte des outils numériques en famille : contrôle parental, ENT, Pronote.",
    "Vente d'ordinateurs reconditionnés à prix solidaire et aide à la prise en main.",
    "Permanences d'un conseiller numérique pour vos questions du quotidien.",
    "Aide pour Mon Espace Santé, Ameli et la prise de rendez-vous médicaux en ligne.",
)
DETAILS = (
    "Un conseiller numérique vous reçoit pendant les heures d'ouverture.",
    "Pensez à apporter vos identifiants et vos justificatifs.",
    "Ateliers collectifs de six personnes au plus, inscription à l'accueil.",
    "Le lieu est accessible aux personnes à mobilité réduite.",
    "Ordinateurs, tablettes et scanner à disposition gratuitement.",
    "Accueil possible en anglais, en arabe et en espagnol certains jours.",
    "Des bénévoles formés accompagnent les débutants.",
    "Les ateliers reprennent chaque année en septembre.",
)
HOURS = (
    "Mo-Fr 09:00-12:00,14:00-17:30",
    "Tu-Fr 10:00-12:30,14:00-18:00; Sa 10:00-17:00",
    "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00",
    "Mo,We,Fr 09:00-12:00",
    "Tu,Th 14:00-18:00; Sa 09:00-12:00",
    "Mo-Fr 08:30-17:00",
    "We 10:00-12:00,14:00-18:00; Sa 10:00-18:00",
    "Mo-Sa 09:00-19:00",
    "Tu-Sa 10:00-13:00,14:00-18:00",
    "Mo 14:00-17:00; Tu-Fr 09:00-12:00,14:00-17:00",
)


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in folded).split())


def make_siret(rng: random.Random) -> str:
    """A SIREN with its Luhn digit, then an establishment number whose last digit makes the 14 digits valid."""
    while True:
        siren = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        siren += luhn.calc_check_digit(siren)
        body = siren + "".join(str(rng.randint(0, 9)) for _ in range(4))
        number = body + luhn.calc_check_digit(body)
        if not number.startswith("356000000") and stdnum_siret.is_valid(number):  # La Poste has its own rule
            return number


def make_phone(rng: random.Random, prefix: str) -> str:
    """A fixed line in E.164 form (+33 in metropolitan France, the territory's code overseas) that
    libphonenumber accepts, as the import checks it."""
    while True:
        digits = (12 if prefix.startswith("+33") else 13) - len(prefix)  # +33 then 9 digits; +590 then 9
        number = prefix + "".join(str(rng.randint(0, 9)) for _ in range(digits))
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def pick_some(rng: random.Random, values, low: int, high: int) -> list[str]:
    chosen = set(rng.sample(values, rng.randint(low, high)))
    return [value for value in values if value in chosen]  # the vocabulary's order


class Generator:
    def __init__(self, places: int, seed: int):
        self.places = places
        self.rng = random.Random(seed)
        self.communes = COMMUNES
        self.weights = [c[6] for c in COMMUNES]

    def organisations(self) -> list[dict]:
        rng = self.rng
        count = max(1, self.places // 4)
        sirets: set[str] = set()
        result = []
        for _ in range(count):
            siret = make_siret(rng)
            while siret in sirets:
                siret = make_siret(rng)
            sirets.add(siret)
            kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            commune = rng.choices(self.communes, self.weights)[0]
            name = kind[1].format(commune=commune[0], name=rng.choice(PEOPLE + QUARTERS).removeprefix("du ")
                                  .removeprefix("de la ").removeprefix("des ").removeprefix("de l'"))
            result.append({"siret": siret, "kind": kind, "commune": commune, "name": name,
                           "domain": slug(name)[:40].strip("-") + ".fr"})
        return result

    def rows(self):
        rng = self.rng
        organisations = self.organisations()
        for index in range(self.places):
            # every organisation has a place, then the others are spread at random: ~4 places each
            organisation = organisations[index] if index < len(organisations) else rng.choice(organisations)
            yield self.place(organisation)

    def place(self, organisation: dict) -> dict:
        rng = self.rng
        code, _, place_kinds = organisation["kind"]
        # most places are in their organisation's commune; networks (France Services, associations) spread
        commune = organisation["commune"] if rng.random() < 0.8 else rng.choices(self.communes, self.weights)[0]
        name_, insee, postcode, latitude, longitude, phone_prefix, _, jitter = commune
        label = rng.choice(place_kinds) if rng.random() > 0.04 else CAF_POINT
        name = f"{label} {rng.choice(PEOPLE + QUARTERS)}" if rng.random() < 0.85 else f"{label} de {name_}"
        street = f"{rng.randint(1, 180)} {rng.choice(STREET_KINDS)} {rng.choice(STREET_NAMES)}"
        services = pick_some(rng, SERVICES, 1, 4)
        if label == CAF_POINT and SERVICES[0] not in services:
            services.insert(0, SERVICES[0])
        programmes = pick_some(rng, PROGRAMMES, 0, 2)
        if code == "RFS" and "France Services" not in programmes:
            programmes.append("France Services")
        if label == CAF_POINT and "Point d'accès numérique CAF" not in programmes:
            programmes.append("Point d'accès numérique CAF")
        summary = rng.choice(SUMMARIES)
        details = " ".join(rng.sample(DETAILS, rng.randint(1, 3)))
        place_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        domain = organisation["domain"]
        return {
            "id": str(place_id),
            "pivot": organisation["siret"],
            "nom": name,
            "commune": name_,
            "code_postal": postcode,
            "code_insee": insee,
            "adresse": street,
            "complement_adresse": rng.choice(COMPLEMENTS) if rng.random() < 0.2 else "",
            "latitude": f"{latitude + rng.uniform(-jitter, jitter):.6f}",
            "longitude": f"{longitude + rng.uniform(-jitter, jitter):.6f}",
            "typologie": code,
            "telephone": make_phone(rng, phone_prefix) if rng.random() < 0.85 else "",
            "courriels": f"contact@{domain}" + (f"{SEPARATOR}mediation@{domain}" if rng.random() < 0.2 else ""),
            "site_web": f"https://www.{domain}" if rng.random() < 0.7 else "",
            "horaires": rng.choice(HOURS) if rng.random() < 0.9 else "",
            "presentation_resume": summary,
            "presentation_detail": details,
            "source": SOURCE,
            "itinerance": "Itinérant" if rng.random() < 0.05 else "Fixe",
            "structure_parente": organisation["name"],
            "date_maj": (FIRST_DAY + timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))).isoformat(),
            "services": SEPARATOR.join(services),
            "publics_specifiquement_adresses": SEPARATOR.join(pick_some(rng, PUBLICS, 0, 2)),
            "prise_en_charge_specifique": SEPARATOR.join(pick_some(rng, SPECIFIC_SUPPORT, 0, 2)),
            "frais_a_charge": rng.choices(FEES, (70, 20, 10))[0],
            "dispositif_programmes_nationaux": SEPARATOR.join(programmes),
            "formations_labels": rng.choice(LABELS) if rng.random() < 0.1 else "",
            "autres_formations_labels": "Label Ville amie des aînés" if rng.random() < 0.03 else "",
            "modalites_acces": SEPARATOR.join(pick_some(rng, ACCESS_MODES[:4], 1, 3)),
            "modalites_accompagnement": SEPARATOR.join(pick_some(rng, SUPPORT_MODES, 1, 3)),
            "fiche_acces_libre": "",
            "prise_rdv": f"https://rdv.{domain}/{place_id.hex[:8]}" if rng.random() < 0.2 else "",
        }


def generate(path: str | os.PathLike, places: int, seed: int = DEFAULT_SEED) -> int:
    """Writes ``places`` places to ``path`` (CSV, UTF-8, the standard's column order); returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(STANDARD_FIELDS)
        for row in Generator(places, seed).rows():
            writer.writerow([row[field] for field in STANDARD_FIELDS])
            written += 1
    return written


def places_from_env() -> int:
    return int(os.environ.get("BENCH_PLACES") or DEFAULT_PLACES)


def seed_from_env() -> int:
    return int(os.environ.get("BENCH_SEED") or DEFAULT_SEED)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    count = generate(target, places_from_env(), seed_from_env())
    print(f"{count} lieux écrits dans {target}")
