"""One record of a file into a row of the national standard 1.0.1 (``ImportRow``), a column at a time.

Whatever can be read safely despite a small flaw (a decimal comma, DD/MM/YYYY, a lost leading zero, a
vocabulary value with another case or apostrophe, an overseas number with the wrong country code) is
read and reported as a warning; the older 0.1 shape is mapped with the official 0.1 -> 1.0 table.
``reading.py`` turns a file into records and gives them here.
"""
import re
import unicodedata
from datetime import date, datetime


import phonenumbers
from flask_babel import gettext as _

from coordination.core.csv_writer import without_guard
from coordination.directory import serializers
from coordination.directory.imports.plan import ERROR, WARNING, ImportRow, Problem
from coordination.vocabularies import PLACE_VOCABULARIES

# --- the official 0.1 -> 1.0 mapping (national cartography) ---------------------------------------
SERVICES_01 = {
    "Devenir autonome dans les démarches administratives": "Aide aux démarches administratives",
    "Réaliser des démarches administratives avec un accompagnement": "Aide aux démarches administratives",
    "Accompagner les démarches de santé": "Aide aux démarches administratives",
    "Prendre en main un smartphone ou une tablette": "Maîtrise des outils numériques du quotidien",
    "Prendre en main un ordinateur": "Maîtrise des outils numériques du quotidien",
    "Utiliser le numérique au quotidien": "Maîtrise des outils numériques du quotidien",
    "Approfondir ma culture numérique": "Compréhension du monde numérique",
    "Promouvoir la citoyenneté numérique": "Compréhension du monde numérique",
    "Favoriser mon insertion professionnelle": "Insertion professionnelle via le numérique",
    "Créer et développer mon entreprise": "Insertion professionnelle via le numérique",
    "Accéder à une connexion internet": "Accès internet et matériel informatique",
    "Accéder à du matériel": "Accès internet et matériel informatique",
    "S'équiper en matériel informatique": "Acquisition de matériel informatique à prix solidaire",
    "Créer avec le numérique": "Loisirs et créations numériques",
    "Soutenir la parentalité et l'éducation avec le numérique": "Parentalité et éducation avec le numérique",
}
# 0.1 label -> (1.0 column, value); the three columns share the 0.1 "labels_nationaux".
LABELS_01 = {
    "CNFS": ("dispositif_programmes_nationaux", "Conseillers numériques"),
    "France Services": ("dispositif_programmes_nationaux", "France Services"),
    "Aidants Connect": ("dispositif_programmes_nationaux", "Aidants Connect"),
    "Grandes écoles du numérique": ("dispositif_programmes_nationaux", "Grande école du numérique"),
    "Point numérique CAF": ("dispositif_programmes_nationaux", "Point d'accès numérique CAF"),
    "Point relais CAF": ("dispositif_programmes_nationaux", "Point d'accès numérique CAF"),
    "Fabriques de Territoire": ("formations_labels", "Fabriques de Territoire"),
    "APTIC": ("autres_formations_labels", "APTIC"),
    "Relais pôle emploi": ("autres_formations_labels", "Relais pôle emploi"),
    "French Tech": ("autres_formations_labels", "French Tech"),
    "Campus connecté": ("autres_formations_labels", "Campus connecté"),
}
# conditions_acces: the 0.1 values are "Label : explanation"; the label decides.
FEES_01 = {
    "Gratuit": ("frais_a_charge", "Gratuit"),
    "Gratuit sous condition": ("frais_a_charge", "Gratuit sous condition"),
    "Payant": ("frais_a_charge", "Payant"),
    "Adhésion": ("frais_a_charge", "Payant"),
    "Accepte le Pass numérique": ("autres_formations_labels", "Pass numérique"),
}
SUPPORT_01 = {
    "Seul": "En autonomie",
    "Avec de l'aide": "Accompagnement individuel",
    "A ma place": "Accompagnement individuel",
    "Dans un atelier": "Dans un atelier collectif",
}
# publics_accueillis has no official mapping: the closest 1.0 values (publics, else specific support).
PUBLICS_01 = {
    "Seniors (+ 65 ans)": ("publics_specifiquement_adresses", "Seniors"),
    "Familles/enfants": ("publics_specifiquement_adresses", "Familles et/ou enfants"),
    "Jeunes (16-26 ans)": ("publics_specifiquement_adresses", "Jeunes"),
    "Uniquement femmes": ("publics_specifiquement_adresses", "Femmes"),
    "Adultes": (None, None),
    "Public langues étrangères": ("prise_en_charge_specifique", "Langues étrangères (autres)"),
    "Déficience visuelle": ("prise_en_charge_specifique", "Déficience visuelle"),
    "Surdité": ("prise_en_charge_specifique", "Surdité"),
    "Handicaps psychiques": ("prise_en_charge_specifique", "Handicaps mentaux"),
    "Handicaps mentaux": ("prise_en_charge_specifique", "Handicaps mentaux"),
    "Personnes en situation d'illettrisme": ("prise_en_charge_specifique", "Illettrisme"),
}
COLUMNS_01 = {"courriel": "courriels", "accessibilite": "fiche_acces_libre", "labels_autres": "autres_formations_labels"}
ONLY_01 = {"courriel", "labels_nationaux", "conditions_acces", "conditions_access", "publics_accueillis",
           "labels_autres", "accessibilite", "cle_ban"}
ONLY_101 = set(serializers.STANDARD_FIELDS) - {
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse", "latitude",
    "longitude", "typologie", "telephone", "site_web", "horaires", "presentation_resume", "presentation_detail",
    "source", "structure_parente", "date_maj", "services", "modalites_accompagnement", "prise_rdv"}

VOCABULARY_OF_COLUMN = {column: values for _name, (values, _label, column) in PLACE_VOCABULARIES.items()}


def _fold(value: str) -> str:
    text = unicodedata.normalize("NFKD", value.replace("’", "'").replace("`", "'").replace("œ", "oe"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(text.replace("«", " ").replace("»", " ").split())


FOLDED = {column: {_fold(v): v for v in values} for column, values in VOCABULARY_OF_COLUMN.items()}
FOLDED_01 = {name: {_fold(k): k for k in table} for name, table in
             (("services", SERVICES_01), ("labels", LABELS_01), ("fees", FEES_01), ("support", SUPPORT_01),
              ("publics", PUBLICS_01))}
DATE_FR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


# An overseas number written with the wrong country code: +33 (metropolitan France) before a
# département's own prefix, or +269 (the Comoros) before Mayotte's. National prefix -> country code.
OVERSEAS_PREFIXES = {"590": "590", "690": "590", "691": "590", "594": "594", "694": "594", "596": "596",
                     "696": "596", "262": "262", "692": "262", "693": "262", "269": "262", "639": "262"}
WRONG_COUNTRY_CODE = re.compile(r"\+(33|269)((\d{3})\d{6})")


def overseas_phone(value: str) -> str | None:
    """The corrected number (E.164), only when the number as written is invalid and the corrected one
    valid (phonenumbers): "+33594341747" -> "+594594341747", "+269269662010" -> "+262269662010"."""
    match = WRONG_COUNTRY_CODE.fullmatch(re.sub(r"[\s.\-()]", "", value))
    if match is None:
        return None
    country, national, prefix = match.groups()
    target = OVERSEAS_PREFIXES.get(prefix)
    if target is None or (country == "269" and prefix not in ("269", "639")):
        return None
    try:
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+{country}{national}")):
            return None
        corrected = phonenumbers.parse(f"+{target}{national}")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(corrected):
        return None
    return phonenumbers.format_number(corrected, phonenumbers.PhoneNumberFormat.E164)


# Text decoded twice (UTF-8 read as Windows-1252: « Ã© », « â€™ »), or a replacement character.
MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€|Â[\u00a0-\u00bf]|\ufffd")
ZERO_LENGTH_HOURS = re.compile(r"(?<![\d:])(\d{1,2}:\d{2})-\1(?![\d:])")
ALWAYS_OPEN = re.compile(r"\s*(24/7|(Mo-Su\s+)?00:00-24:00)\s*;?\s*")
PREMIUM_PHONE = re.compile(r"(\+33|0033|0)89\d{7}$")


def _preview(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) > 1000:
        return str(int(value))
    return without_guard(str(value).strip())  # the apostrophe the open-data CSV adds before a formula


def _items(value, separators: str) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [_text(v) for v in value if _text(v)]
    return [part.strip() for part in re.split(separators, _text(value)) if part.strip()]


class RowReader:
    def __init__(self, format: str, *, json_file: bool = False):
        self.format = format
        self.json_file = json_file

    def row(self, line: int, raw: dict) -> ImportRow:
        row = ImportRow(line=line, record={}, json=self.json_file)
        self.problems = row.problems
        self.line = line
        if self.format == "0.1":
            raw = self._from_01(raw)
        for column in serializers.STANDARD_FIELDS:
            if column not in raw:
                continue
            value = raw[column]
            reader = getattr(self, f"_{column}", None)
            if reader is not None:
                value = reader(value)
            elif column in VOCABULARY_OF_COLUMN:
                value = self._vocabulary(column, value)
            elif column in serializers.LIST_COLUMNS:
                value = _items(value, r"\|")
            else:
                value = _text(value) or None
            row.record[column] = value
            self._check_encoding(column, value)
        if _text(raw.get("id_source")):  # a re-export (ours or another network's): the original id
            row.record["id_source"] = _text(raw["id_source"])
        self._summary_and_detail(row.record)
        return row

    def _check_encoding(self, column: str, value) -> None:
        for text in (value if isinstance(value, list) else [value]):
            if isinstance(text, str) and MOJIBAKE.search(text):
                self.warn(column, _("« %(text)s » : caractères mal encodés (« Ã© » au lieu de « é », ou « � ») : le texte a sans doute été converti deux fois. Corrigez-le dans le fichier ou dans l'annuaire.", text=_preview(text)), _("texte mal encodé"))
                return

    def warn(self, column: str, message: str, reason: str) -> None:
        self.problems.append(Problem(self.line, column, message, WARNING, reason))

    def error(self, column: str, message: str, reason: str) -> None:
        self.problems.append(Problem(self.line, column, message, ERROR, reason))

    # one column each
    def _id(self, value) -> str | None:
        return _text(value) or None

    def _code_postal(self, value) -> str | None:
        text = _text(value).replace(" ", "")
        if re.fullmatch(r"\d{4}", text):
            self.warn("code_postal", _("Code postal « %(text)s » à 4 chiffres : le zéro initial perdu (tableur) a été rétabli : « 0%(text)s ».", text=text), _("code postal sans zéro initial"))
            return "0" + text
        return text or None

    def _code_insee(self, value) -> str | None:
        text = _text(value).replace(" ", "")
        if re.fullmatch(r"\d{4}", text):
            self.warn("code_insee", _("Code INSEE « %(text)s » à 4 chiffres : zéro initial rétabli (« 0%(text)s »).", text=text),
                      _("code INSEE sans zéro initial"))
            return "0" + text
        return text or None

    def _coordinate(self, column: str, value) -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        text = _text(value)
        if not text:
            return None
        if re.fullmatch(r"-?\d+,\d+", text):
            self.warn(column, _("« %(text)s » : virgule décimale lue comme un point.", text=text), _("virgule décimale"))
            text = text.replace(",", ".")
        try:
            return float(text)
        except ValueError:
            self.error(column, _("« %(text)s » n'est pas un nombre décimal (exemple : 47.2184).", text=text), f"{column} invalide")
            return None

    def _latitude(self, value):
        return self._coordinate("latitude", value)

    def _longitude(self, value):
        return self._coordinate("longitude", value)

    def _date_maj(self, value) -> str | None:
        text = _text(value)
        if not text:
            return None
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        match = DATE_FR.fullmatch(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                iso = date(year, month, day).isoformat()
            except ValueError:
                pass
            else:
                self.warn("date_maj", _("Date « %(text)s » au format JJ/MM/AAAA lue comme %(iso)s.", text=text, iso=iso), _("date JJ/MM/AAAA"))
                return iso
        try:
            iso = datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            self.error("date_maj", _("« %(text)s » n'est pas une date valable : écrivez-la AAAA-MM-JJ (exemple : 2024-06-30).", text=text), _("date_maj invalide"))
            return None
        self.warn("date_maj", _("Date et heure « %(text)s » : seule la date %(iso)s est gardée.", text=text, iso=iso), _("date avec heure"))
        return iso

    def _pivot(self, value) -> str | None:
        return _text(value).replace(" ", "") or None

    def _telephone(self, value) -> str | None:
        items = _items(value, r"\||;|/")
        if len(items) > 1:
            self.warn("telephone", _("Plusieurs numéros (%(items)s) : seul le premier est gardé.", items=', '.join(items)),
                      _("plusieurs téléphones"))
        if not items:
            return None
        if "fax" in _text(value).lower():
            self.warn("telephone", _("« %(value)s » : un numéro de fax ? Le standard attend le téléphone d'accueil.", value=_text(value)), _("téléphone : fax"))
        elif PREMIUM_PHONE.match(re.sub(r"[\s.\-()]", "", items[0])):
            self.warn("telephone", _("« %(items)s » : numéro surtaxé (08 9x) ; le public attend un numéro gratuit ou au prix d'un appel local.", items=items[0]), _("téléphone surtaxé"))
        corrected = overseas_phone(items[0])
        if corrected:
            self.warn("telephone", _("« %(items)s » : numéro d'outre-mer écrit avec un mauvais indicatif international, corrigé en « %(corrected)s ».", items=items[0], corrected=corrected), _("indicatif d'outre-mer corrigé"))
            return corrected
        return items[0]

    def _horaires(self, value) -> str | None:
        text = _text(value)
        if not text:
            return None
        if ZERO_LENGTH_HOURS.search(text):
            self.warn("horaires", _("« %(text)s » : une plage commence et finit à la même heure (OSM la lit comme ouverte toute la journée). Vérifiez les horaires.", text=text), _("horaires de durée nulle"))
        elif ALWAYS_OPEN.fullmatch(text):
            self.warn("horaires", _("« %(text)s » : ouvert 24 h/24, 7 j/7 ? Vérifiez les horaires.", text=text),
                      "horaires 24 h/24")
        return text

    def _courriels(self, value) -> list[str]:
        return [item for item in _items(value, r"[|;,\s]+") if re.search(r"\w", item)]  # "-" means none

    def _site_web(self, value) -> list[str]:
        return _items(value, r"\|")  # every URL is kept: the standard allows several (issue 15)

    def _summary_and_detail(self, record: dict) -> None:
        """A summary over the standard's 280 characters is cut at a word, and its full text goes first in
        the detail (created when the file has no such column), for this row only."""
        summary = record.get("presentation_resume")
        if not summary or len(summary) <= serializers.SUMMARY_MAX:
            return
        self.warn("presentation_resume", _("Présentation résumée de %(summary)s caractères : coupée à %(summary_max)s ; le texte entier passe en tête de la présentation détaillée.", summary=len(summary), summary_max=serializers.SUMMARY_MAX),
                  _("présentation résumée trop longue"))
        record["presentation_resume"] = serializers.cut_at_word(summary)
        detail = record.get("presentation_detail")
        if not detail:
            record["presentation_detail"] = summary
        elif not detail.startswith(summary):
            record["presentation_detail"] = f"{summary}\n\n{detail}"

    def _vocabulary(self, column: str, value) -> list[str]:
        allowed = VOCABULARY_OF_COLUMN[column]
        found = []
        for item in _items(value, r"\|" if self.format != "0.1" else r"\||;"):
            if item in allowed:
                found.append(item)
                continue
            near = FOLDED[column].get(_fold(item))
            if near is None and column == "typologie":
                near = FOLDED[column].get(_fold(item).replace(" ", "_"))
            if near is not None:
                self.warn(column, _("« %(item)s » lu comme « %(near)s » (valeur exacte du standard).", item=item, near=near),
                          _("valeur proche du vocabulaire"))
                found.append(near)
                continue
            parts = [p.strip() for p in item.split(";") if p.strip()]
            if len(parts) > 1 and all(p in allowed for p in parts):
                self.warn(column, _("« %(item)s » : valeurs séparées par « ; » au lieu de « | ».", item=item), _("séparateur ;"))
                found.extend(parts)
                continue
            shown = " ; ".join(allowed) if len(allowed) <= 20 else " ; ".join(allowed[:20]) + " ; …"
            self.warn(column, _("Valeur inconnue « %(item)s » dans la colonne « %(column)s » : laissée de côté, le lieu est importé sans elle. Valeurs permises : %(shown)s.", item=item, column=column, shown=shown), _("%(column)s : valeur inconnue laissée de côté", column=column))
        return list(dict.fromkeys(found))

    def _source(self, value) -> str | None:
        return _text(value) or None  # the file's producer, kept with the place (issue 15)

    # the 0.1 shape
    def _from_01(self, raw: dict) -> dict:
        record = {COLUMNS_01.get(k, k): v for k, v in raw.items() if k not in ONLY_01 or k in COLUMNS_01}
        extra: dict[str, list[str]] = {}
        present = set()

        def add(column, value):
            if column:
                present.add(column)
                if value:
                    extra.setdefault(column, []).append(value)

        if "services" in raw:
            record["services"] = self._map_01("services", raw["services"], SERVICES_01, "services")
        for column in ("labels_nationaux",):
            if column in raw:
                for target, value in self._pairs_01(column, raw[column], LABELS_01, "labels"):
                    add(target, value)
                for target in ("dispositif_programmes_nationaux", "formations_labels"):
                    present.add(target)
        for column in ("conditions_acces", "conditions_access"):
            if column in raw:
                present.add("frais_a_charge")
                for target, value in self._pairs_01("conditions_acces", raw[column], FEES_01, "fees"):
                    add(target, value)
        if "publics_accueillis" in raw:
            present.update(("publics_specifiquement_adresses", "prise_en_charge_specifique"))
            for target, value in self._pairs_01("publics_accueillis", raw["publics_accueillis"], PUBLICS_01,
                                                "publics"):
                add(target, value)
        if "modalites_accompagnement" in raw:
            record["modalites_accompagnement"] = self._map_01(
                "modalites_accompagnement", raw["modalites_accompagnement"], SUPPORT_01, "support")
        for column in present:
            values = extra.get(column, [])
            if column == "autres_formations_labels":
                values = _items(record.get(column), r"\||;") + values
            record[column] = list(dict.fromkeys(values))
        if "typologie" in record:
            record["typologie"] = _items(record["typologie"], r"\||;")
        return record

    def _label_01(self, item: str, table: dict, folded_name: str) -> str | None:
        if item in table:
            return item
        head = item.split(" : ", 1)[0].strip()
        for candidate in (head, item):
            if candidate in table:
                return candidate
            key = FOLDED_01[folded_name].get(_fold(candidate))
            if key is not None:
                return key
        for key in table:  # "Handicaps psychiques : troubles…" has a long explanation
            if _fold(item).startswith(_fold(key)):
                return key
        return None

    def _known_01(self, column: str, item: str, table: dict, folded_name: str) -> str | None:
        """The key of ``table`` that ``item`` names; None, with a warning, when it names none."""
        key = self._label_01(item, table, folded_name)
        if key is None:
            self.warn(column, _("Valeur inconnue « %(item)s » dans la colonne « %(column)s » (standard 0.1) : laissée de côté. Valeurs permises : %(table)s.", item=item, column=column, table=' ; '.join(table)),
                      _("%(column)s : valeur inconnue laissée de côté", column=column))
        return key

    def _pairs_01(self, column: str, value, table: dict, folded_name: str):
        for item in _items(value, r";|\|"):
            key = self._known_01(column, item, table, folded_name)
            if key is not None:
                yield table[key]

    def _map_01(self, column: str, value, table: dict, folded_name: str) -> list[str]:
        target = "services" if column == "services" else "modalites_accompagnement"
        allowed = VOCABULARY_OF_COLUMN[target]
        mapped = []
        for item in _items(value, r";|\|"):
            if item in allowed:
                mapped.append(item)
                continue
            key = self._known_01(column, item, table, folded_name)
            if key is not None:
                mapped.append(table[key])
        return list(dict.fromkeys(mapped))


# --- personal email addresses (issue 15, item 8) ------------------------------------------------------
# Public files (the national cartography, regional lists) publish some nominative addresses. With the
# import's option, an address whose local part looks like « prénom.nom » (two words joined by a dot or
# an underscore, an initial allowed, neither a generic word such as « contact » or « mairie ») is left
# out, with a warning naming it. A heuristic: « marie.curie@… » goes, « france.services@… » stays.
# On the four real files that have addresses, it flags 266 of 4,990 (December 2026).

PERSONAL_LOCAL_PART = re.compile(r"[a-z]+(?:-[a-z]+)?[._][a-z]+(?:-[a-z]+)?")
# Parts of the addresses of services, seen in the real files (« franceservices.bergerac »,
# « accueil.mairie », « maison.service.public »): an address holding one is not a person's.
GENERIC_PARTS = (
    "accueil", "action", "admin", "agence", "agglo", "anim", "annexe", "antenne", "asso", "atelier", "biblio", "bureau", "centre", "club",
    "commun", "conseil", "contact", "creati", "culture", "cyber", "depar", "direction", "emploi", "enfance",
    "espace", "fablab", "famille", "france", "inclusion", "info", "insertion", "itineran", "jeunesse", "maison",
    "mairie", "mediat", "mission", "msap", "multimedia", "numeri", "office", "plateforme", "point", "pole", "poms",
    "public",
    "region", "relais", "secretar", "service", "social", "solidar", "tiers", "ville",
)
# acronyms of services with a vowel (mission locale, point information jeunesse, espace de vie sociale…)
GENERIC_WORDS = frozenset("ami bij bus caf ccas cfppa cia cias cnfs csi efs epn evs lab mds mfs milo pij plie sec".split())
VOWEL = re.compile(r"[aeiouy]")


def personal_email(address: str) -> bool:
    """Whether an address looks like « prénom.nom@… » (or « p.nom », « prenom_nom »): two words that
    are not acronyms (each has a vowel; the first is an initial or has 3 letters or more) and that
    name no service."""
    local = _fold(str(address).split("@", 1)[0])
    if not PERSONAL_LOCAL_PART.fullmatch(local) or any(part in local for part in GENERIC_PARTS):
        return False
    first, last = re.split(r"[._]", local)
    words = re.split(r"[._-]", local)
    if any(word in GENERIC_WORDS or not VOWEL.search(word) for word in words if len(word) > 1):
        return False
    return (len(first) == 1 or len(first) >= 3) and len(last) >= 2


def drop_personal_emails_of(row: ImportRow) -> int:
    emails = row.record.get("courriels")
    if not emails:
        return 0
    kept = []
    for email in emails:
        if personal_email(email):
            row.problems.append(Problem(
                row.line, "courriels", _("« %(email)s » ressemble à une adresse nominative (prénom.nom) : elle n'est pas importée (option « sans courriels personnels »).", email=email), WARNING,
                _("courriel nominatif non importé")))
        else:
            kept.append(email)
    row.record["courriels"] = kept
    return len(emails) - len(kept)
