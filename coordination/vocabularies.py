"""Controlled vocabularies: organisation kinds, roles, and the national standard
"Lieux de médiation numérique" 1.0.1 enumerations (values exactly as the schema spells them)."""

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
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)
PUBLICS = ("Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes")
SPECIFIC_SUPPORT = (
    "Surdité",
    "Handicaps moteurs",
    "Handicaps mentaux",
    "Illettrisme",
    "Langues étrangères (anglais)",
    "Langues étrangères (autres)",
    "Déficience visuelle",
)
FEES = ("Gratuit", "Gratuit sous condition", "Payant")
PROGRAMMES = (
    "Aidants Connect",
    "Bibliothèques numérique de référence",
    "Certification PIX",
    "Conseillers numériques",
    "Emmaüs Connect",
    "France Services",
    "Grande école du numérique",
    "La Croix Rouge",
    "Point d'accès numérique CAF",
    "Promeneurs du net",
    "Relais numérique (Emmaüs Connect)",
)
LABELS = (
    "Formé à « Mon Espace Santé »",
    "Formé à « DUPLEX » (illettrisme)",
    "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
    "Collectif ressources et acteurs réemploi (Normandie)",
    "Fabriques de Territoire",
    "Les Éclaireurs du numérique (Drôme)",
    "Mes Papiers (Métropole de Lyon)",
    "ORDI 3.0",
    "SUD LABS (PACA)",
)
ACCESS_MODES = (
    "Se présenter",
    "Téléphoner",
    "Contacter par mail",
    "Prendre un RDV en ligne",
    "Ce lieu n'accueille pas de public",
    "Envoyer un mail avec une fiche de prescription",
)
SUPPORT_MODES = ("En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance")
ITINERANCE = ("Itinérant", "Fixe")

# A short list of the data·inclusion v0 typologies that médiation numérique places use most.
TYPOLOGIES = {
    "ASSO": "Association",
    "BIB": "Bibliothèque / Médiathèque",
    "CCAS": "Centre communal d'action sociale",
    "CIAS": "Centre intercommunal d'action sociale",
    "CS": "Centre social",
    "EPN": "Espace public numérique",
    "MJC": "Maison des jeunes et de la culture",
    "MUNI": "Municipalité",
    "DEPT": "Services sociaux du Conseil départemental",
    "PIMMS": "Point information médiation multi services",
    "RFS": "Réseau France Services",
    "TIERS_LIEUX": "Tiers lieu & coworking",
    "Autre": "Autre",
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
    "services": (SERVICES, "Services proposés", "services"),
    "publics": (PUBLICS, "Publics spécifiquement adressés", "publics_specifiquement_adresses"),
    "specific_support": (SPECIFIC_SUPPORT, "Prise en charge spécifique", "prise_en_charge_specifique"),
    "fees": (FEES, "Frais à charge", "frais_a_charge"),
    "programmes": (PROGRAMMES, "Dispositifs et programmes nationaux", "dispositif_programmes_nationaux"),
    "labels": (LABELS, "Formations et labels", "formations_labels"),
    "access_modes": (ACCESS_MODES, "Modalités d'accès", "modalites_acces"),
    "support_modes": (SUPPORT_MODES, "Modalités d'accompagnement", "modalites_accompagnement"),
    "itinerance": (ITINERANCE, "Itinérance", "itinerance"),
    "typology": (TYPOLOGY_CODES, "Typologie de la structure", "typologie"),
}

WEEKDAYS = (("Mo", "Lundi"), ("Tu", "Mardi"), ("We", "Mercredi"), ("Th", "Jeudi"),
            ("Fr", "Vendredi"), ("Sa", "Samedi"), ("Su", "Dimanche"))
