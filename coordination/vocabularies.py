"""Controlled vocabularies: organisation kinds, roles, and the national standard
"Lieux de médiation numérique" 1.0.1 enumerations (values exactly as the schema spells them).

The values of the standard are French and stay so (URLs, the open-data export); residents read them
in their language through ``label``, which translates a value at display time."""


def N_(text: str) -> str:
    """Marks a value for extraction into the catalogues without translating it: it stays the value."""
    return text


def label(value: str) -> str:
    """A vocabulary value (or a marked French label) in the page's language, for display only."""
    from flask_babel import gettext  # at display time, in a request: this module stays plain data
    return gettext(value) if value else value

ORGANISATION_KINDS = {
    "association": "Association",
    "ccas": "CCAS / CIAS",
    "france_services": "France Services",
    "mediatheque": "Bibliothèque, médiathèque",
    "centre_social": "Centre social",
    "commune": "Commune",
    "departement": "Département",
    "other": "Autre",
}

# data·inclusion v0 structure typology codes, mapped from the organisation kind (open-data export).
KIND_TO_TYPOLOGY = {
    "association": "ASSO",
    "ccas": "CCAS",
    "france_services": "RFS",
    "mediatheque": "BIB",
    "centre_social": "CS",
    "commune": "MUNI",
    "departement": "DEPT",
    "other": "Autre",
}

ORGANISATION_STATUSES = {
    "pending": "En attente de validation",
    "active": "Active",
    "refused": "Refusée",
    "suspended": "Suspendue",
}

ROLES = {"admin": "Administrateur", "member": "Membre"}

COORDINATE_SOURCES = {"geocoder": "Géocodage", "manual": "Saisie manuelle", "import": "Import"}

SERVICES = (
    N_("Aide aux démarches administratives"),
    N_("Maîtrise des outils numériques du quotidien"),
    N_("Insertion professionnelle via le numérique"),
    N_("Utilisation sécurisée du numérique"),
    N_("Parentalité et éducation avec le numérique"),
    N_("Loisirs et créations numériques"),
    N_("Compréhension du monde numérique"),
    N_("Accès internet et matériel informatique"),
    N_("Acquisition de matériel informatique à prix solidaire"),
)
PUBLICS = (N_("Jeunes"), N_("Étudiants"), N_("Familles et/ou enfants"), N_("Seniors"), N_("Femmes"))
SPECIFIC_SUPPORT = (
    N_("Surdité"),
    N_("Handicaps moteurs"),
    N_("Handicaps mentaux"),
    N_("Illettrisme"),
    N_("Langues étrangères (anglais)"),
    N_("Langues étrangères (autres)"),
    N_("Déficience visuelle"),
)
FEES = (N_("Gratuit"), N_("Gratuit sous condition"), N_("Payant"))
PROGRAMMES = (
    N_("Aidants Connect"),
    N_("Bibliothèques numérique de référence"),
    N_("Certification PIX"),
    N_("Conseillers numériques"),
    N_("Emmaüs Connect"),
    N_("France Services"),
    N_("Grande école du numérique"),
    N_("La Croix Rouge"),
    N_("Point d'accès numérique CAF"),
    N_("Promeneurs du net"),
    N_("Relais numérique (Emmaüs Connect)"),
)
LABELS = (
    N_("Formé à « Mon Espace Santé »"),
    N_("Formé à « DUPLEX » (illettrisme)"),
    N_("Arnia/MedNum BFC (Bourgogne-Franche-Comté)"),
    N_("Collectif ressources et acteurs réemploi (Normandie)"),
    N_("Fabriques de Territoire"),
    N_("Les Éclaireurs du numérique (Drôme)"),
    N_("Mes Papiers (Métropole de Lyon)"),
    N_("ORDI 3.0"),
    N_("SUD LABS (PACA)"),
)
ACCESS_MODES = (
    N_("Se présenter"),
    N_("Téléphoner"),
    N_("Contacter par mail"),
    N_("Prendre un RDV en ligne"),
    N_("Ce lieu n'accueille pas de public"),
    N_("Envoyer un mail avec une fiche de prescription"),
)
SUPPORT_MODES = (N_("En autonomie"), N_("Accompagnement individuel"), N_("Dans un atelier collectif"), N_("À distance"))
ITINERANCE = (N_("Itinérant"), N_("Fixe"))

# A short list of the data·inclusion v0 typologies that médiation numérique places use most.
TYPOLOGIES = {
    "ASSO": N_("Association"),
    "BIB": N_("Bibliothèque / Médiathèque"),
    "CCAS": N_("Centre communal d'action sociale"),
    "CIAS": N_("Centre intercommunal d'action sociale"),
    "CS": N_("Centre social"),
    "EPN": N_("Espace public numérique"),
    "MJC": N_("Maison des jeunes et de la culture"),
    "MUNI": N_("Municipalité"),
    "DEPT": N_("Services sociaux du Conseil départemental"),
    "PIMMS": N_("Point information médiation multi services"),
    "RFS": N_("Réseau France Services"),
    "TIERS_LIEUX": N_("Tiers lieu & coworking"),
    "Autre": N_("Autre"),
}

# Every code of the frozen data·inclusion v0 structure typology (what the standard's `typologie` column
# refers to): imported files may use any of them; the place form offers the short list above.
TYPOLOGY_CODES = (
    "ACI", "ACIPHC", "AFPA", "AI", "ASE", "ASSO", "ASSO_CHOMEUR", "AVIP", "Autre", "BIB", "CAARUD", "CADA",
    "CAF", "CAP_EMPLOI", "CAVA", "CC", "CCAS", "CCONS", "CD", "CDAS", "CFP", "CHRS", "CHU", "CIAS", "CIDFF",
    "CITMET", "CMP", "CMS", "CPAM", "CPH", "CS", "CSAPA", "CSC", "DEETS", "DEPT", "DIPLP", "E2C", "EA", "EATT",
    "EI", "EITI", "ENM", "EPCI", "EPI", "EPIDE", "EPN", "ES", "ESS", "ETABL_PRI", "ETABL_PUB", "ETAT", "ETTI",
    "EVS", "FABLAB", "FAIS", "FT", "GEIQ", "HUDA", "LA_POSTE", "MDA", "MDE", "MDEF", "MDPH", "MDS", "MJC", "ML",
    "MQ", "MSA", "MSAP", "MUNI", "OACAS", "ODC", "OF", "OIL", "OPCS", "PAD", "PENSION", "PI", "PIJ_BIJ", "PIMMS",
    "PJJ", "PLIE", "PREF", "PREVENTION", "REG", "RESSOURCERIE", "RFS", "RS_FJT", "SCP", "SPIP", "TIERS_LIEUX",
    "UDAF",
)

# Place attribute name -> (vocabulary, French label, standard column)
PLACE_VOCABULARIES = {
    "services": (SERVICES, N_("Services proposés"), "services"),
    "publics": (PUBLICS, N_("Publics spécifiquement adressés"), "publics_specifiquement_adresses"),
    "specific_support": (SPECIFIC_SUPPORT, N_("Prise en charge spécifique"), "prise_en_charge_specifique"),
    "fees": (FEES, N_("Frais à charge"), "frais_a_charge"),
    "programmes": (PROGRAMMES, N_("Dispositifs et programmes nationaux"), "dispositif_programmes_nationaux"),
    "labels": (LABELS, N_("Formations et labels"), "formations_labels"),
    "access_modes": (ACCESS_MODES, N_("Modalités d'accès"), "modalites_acces"),
    "support_modes": (SUPPORT_MODES, N_("Modalités d'accompagnement"), "modalites_accompagnement"),
    "itinerance": (ITINERANCE, N_("Itinérance"), "itinerance"),
    "typology": (TYPOLOGY_CODES, N_("Typologie de la structure"), "typologie"),
}

WEEKDAYS = (("Mo", "Lundi"), ("Tu", "Mardi"), ("We", "Mercredi"), ("Th", "Jeudi"),
            ("Fr", "Vendredi"), ("Sa", "Samedi"), ("Su", "Dimanche"))
