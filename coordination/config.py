"""Configuration. Every environment variable the application reads is read here, and only here."""
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MAILLAGE_VAR_DIR", ROOT / "var"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEV_SECRET_KEY = "dev-only-change-me"


class Config:
    REQUIRE_SECRET_KEY = True  # production refuses to start with the development key
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'maillage.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}  # noqa: RUF012 - read-only configuration
    NETWORK_NAME = os.environ.get("NETWORK_NAME", "Réseau Maillage Loire-Atlantique")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    # (the rate limits need the real client address).
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    # Sessions and cookies: secure by default, relaxed only by MAILLAGE_ENV=development.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_DAYS", 30))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_HOURS", 12))
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Rate limiting (Flask-Limiter); memory:// suits one process, use redis:// with several workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour")
    RATELIMIT_JOIN = os.environ.get("RATELIMIT_JOIN", "10 per hour")

    # Signed links
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
    INVITATION_MAX_AGE = _int("INVITATION_MAX_AGE", 7 * 24 * 3600)

    # Mail: messages are rows first (the outbox), then sent by a scheduler job.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | smtp
    MAIL_FROM = os.environ.get("MAIL_FROM", "Maillage <ne-pas-repondre@maillage.localhost>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = _int("SMTP_PORT", 25)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "none")  # none | starttls | ssl
    SMTP_TIMEOUT = _int("SMTP_TIMEOUT", 20)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    # Sent messages (contact form, invitations…) are emptied of their recipient and text after this
    MAIL_RETENTION_DAYS = _int("MAIL_RETENTION_DAYS", 90)

    # Scheduler process
    SCHEDULER_TIMEZONE = "Europe/Paris"
    SCHEDULER_MAIL_INTERVAL = _int("SCHEDULER_MAIL_INTERVAL", 30)

    # Geocoding (BAN through geopy) — never blocks a save.
    GEOCODER_DOMAIN = os.environ.get("GEOCODER_DOMAIN", "data.geopf.fr/geocodage")
    GEOCODER_SCHEME = os.environ.get("GEOCODER_SCHEME", "https")
    GEOCODER_ENABLED = _bool("GEOCODER_ENABLED", True)
    GEOCODER_TIMEOUT = float(os.environ.get("GEOCODER_TIMEOUT", "3"))
    GEOCODER_MIN_DELAY = float(os.environ.get("GEOCODER_MIN_DELAY", "0.1"))  # seconds between two calls

    # Search
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(VAR_DIR / "index"))
    SEARCH_DEFAULT_RADIUS_KM = float(os.environ.get("SEARCH_DEFAULT_RADIUS_KM", "10"))
    SEARCH_PER_PAGE = _int("SEARCH_PER_PAGE", 20)
    SEARCH_QUEUE_INTERVAL = _int("SEARCH_QUEUE_INTERVAL", 5)  # seconds between two index updates
    # The needs vocabulary (CAF, impôts, smartphone… → services of the standard); empty: the repository's file
    NEEDS_FILE = os.environ.get("NEEDS_FILE", "")

    # Open data: exported files, the API, imports
    OPEN_DATA_DIR = os.environ.get("OPEN_DATA_DIR", str(VAR_DIR / "open-data"))
    OPEN_DATA_LICENCE = "Licence Ouverte 2.0 (etalab-2.0)"
    OPEN_DATA_EXPORT_HOUR = _int("OPEN_DATA_EXPORT_HOUR", 2)  # nightly regeneration, Paris time
    # The catalogue's contact point (dcat:contactPoint); empty: the /open-data page stands for it.
    OPEN_DATA_CONTACT_EMAIL = os.environ.get("OPEN_DATA_CONTACT_EMAIL", "")
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "120 per minute")
    # The change feed holds back changes younger than this: a long import commits them all at once.
    OPEN_DATA_FEED_DELAY_SECONDS = _int("OPEN_DATA_FEED_DELAY_SECONDS", 300)
    IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 30 * 1024 * 1024)
    # More rows than this are refused as soon as they are counted, before the file is built in memory.
    IMPORT_MAX_ROWS = max(1, _int("IMPORT_MAX_ROWS", 200_000))
    # Invitations to organisations created by an import (« prévenir les structures »), spread out.
    IMPORT_INVITATIONS_PER_HOUR = max(1, _int("IMPORT_INVITATIONS_PER_HOUR", 60))
    # Files uploaded on the import page wait here (private folder) between the check and the apply.
    IMPORT_UPLOAD_DIR = os.environ.get("IMPORT_UPLOAD_DIR", str(VAR_DIR / "imports"))
    # Mapping profiles saved by coordinators (coordination/directory/imports/profiles.py), looked up before the shipped ones.
    IMPORT_PROFILES_DIR = os.environ.get("IMPORT_PROFILES_DIR", str(VAR_DIR / "import-profiles"))
    # No request body may be larger than the largest import (plus the form around it): Flask answers
    # 413 before anything, CSRF check included, reads it.
    MAX_CONTENT_LENGTH = IMPORT_MAX_BYTES + 1024 * 1024

    # Referrals: personal data of residents is encrypted, and erased after closure.
    PERSONAL_DATA_KEYS = os.environ.get("PERSONAL_DATA_KEYS", "")  # Fernet keys, newest first, comma-separated
    REFERRAL_EXPIRY_DAYS = _int("REFERRAL_EXPIRY_DAYS", 14)  # no answer after this many days: expired
    # At least one working day: a zero would make the reminder due again at once, for ever.
    REFERRAL_REMINDER_FIRST_WORKING_DAYS = max(1, _int("REFERRAL_REMINDER_FIRST_WORKING_DAYS", 2))
    REFERRAL_REMINDER_EVERY_WORKING_DAYS = max(1, _int("REFERRAL_REMINDER_EVERY_WORKING_DAYS", 5))
    REFERRAL_OUTCOME_DAYS = max(1, _int("REFERRAL_OUTCOME_DAYS", 60))  # accepted, no outcome: closed
    REFERRAL_RETENTION_DAYS = _int("REFERRAL_RETENTION_DAYS", 90)  # personal data erased after closure
    REFERRAL_CONSENT_VERSION = os.environ.get("REFERRAL_CONSENT_VERSION", "2026-12")
    REFERRAL_NEED_MAX = 1000
    REFERRAL_COMMENT_MAX = 1000

    # Listing freshness (months since the partner last confirmed a place)
    FRESHNESS_REMIND_MONTHS = max(1, _int("FRESHNESS_REMIND_MONTHS", 5))
    FRESHNESS_STALE_MONTHS = max(1, _int("FRESHNESS_STALE_MONTHS", 6))
    FRESHNESS_UNPUBLISH_MONTHS = _int("FRESHNESS_UNPUBLISH_MONTHS", 0)  # 0: stale places stay published
    FRESHNESS_LINK_DAYS = max(1, _int("FRESHNESS_LINK_DAYS", 30))  # "tout est à jour" link lifetime
    # Unmet needs show a search text only when at least this many searches share it.
    DASHBOARD_MIN_SEARCHES = max(1, _int("DASHBOARD_MIN_SEARCHES", 3))
    # The search log (words searched, no email, phone or long number) is purged after this many days.
    SEARCH_LOG_RETENTION_DAYS = max(1, _int("SEARCH_LOG_RETENTION_DAYS", 395))
    RATELIMIT_PLACE_PICKER = os.environ.get("RATELIMIT_PLACE_PICKER", "60 per minute")  # place picker, per address
    RATELIMIT_REPORT = os.environ.get("RATELIMIT_REPORT", "5 per hour")  # "Signaler une erreur" per address

    # The public service's own pages (mentions légales, confidentialité, contact): who publishes the
    # site, who hosts it, whom to write to. Empty in production until filled in: the pages then say
    # « non renseigné » and the contact form stays closed.
    SITE_PUBLISHER_NAME = os.environ.get("SITE_PUBLISHER_NAME", "")
    SITE_PUBLISHER_ADDRESS = os.environ.get("SITE_PUBLISHER_ADDRESS", "")
    SITE_PUBLICATION_DIRECTOR = os.environ.get("SITE_PUBLICATION_DIRECTOR", "")
    SITE_HOST_NAME = os.environ.get("SITE_HOST_NAME", "")
    SITE_HOST_ADDRESS = os.environ.get("SITE_HOST_ADDRESS", "")
    SITE_CONTACT_EMAIL = os.environ.get("SITE_CONTACT_EMAIL", "")
    SITE_DPO_CONTACT = os.environ.get("SITE_DPO_CONTACT", "")  # an e-mail or postal address
    RATELIMIT_CONTACT = os.environ.get("RATELIMIT_CONTACT", "5 per hour")  # contact form posts per address

    # Network meetings
    MEETING_INVITATION_DAYS = max(1, _int("MEETING_INVITATION_DAYS", 30))  # default for new series
    MEETING_REMINDER_DAYS = os.environ.get("MEETING_REMINDER_DAYS", "7,1")  # days before, comma-separated
    MEETING_MATERIALISED = max(1, _int("MEETING_MATERIALISED", 2))  # next occurrences kept as meetings

    # Maps: tiles are the only thing the browser fetches from elsewhere.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    MAP_TILE_ATTRIBUTION = os.environ.get(
        "MAP_TILE_ATTRIBUTION", "© les contributeurs d'OpenStreetMap")
    NODE_MODULES_DIR = os.environ.get("NODE_MODULES_DIR", str(ROOT / "node_modules"))

    # `flask demo seed` creates a coordinator whose password is public: never in production.
    DEMO_SEED_ALLOWED = False
    # « Où » : the official list of communes (installed by `make assets`; missing -> the search
    # locates from the directory's places, « position approximative ») and the network's territory.
    COMMUNES_FILE = os.environ.get("COMMUNES_FILE", str(
        Path(NODE_MODULES_DIR) / "@etalab" / "decoupage-administratif" / "data" / "communes.json"))
    NETWORK_DEPARTEMENTS = os.environ.get("NETWORK_DEPARTEMENTS", "44")  # comma-separated; empty: everywhere


# Demonstration facts of the public service's pages (development and tests); an environment variable wins.
DEMO_SITE = {
    "SITE_PUBLISHER_NAME": "Association Réseau Maillage (démonstration)",
    "SITE_PUBLISHER_ADDRESS": "2 rue de la Démonstration, 44000 Nantes",
    "SITE_PUBLICATION_DIRECTOR": "Camille Exemple, présidente",
    "SITE_HOST_NAME": "Hébergeur de démonstration",
    "SITE_HOST_ADDRESS": "1 avenue de l’Exemple, 75000 Paris",
    "SITE_CONTACT_EMAIL": "contact@maillage.localhost",
    "SITE_DPO_CONTACT": "dpo@maillage.localhost",
}


def _with_demo_site(config: type, *, environment: bool = True) -> type:
    for name, value in DEMO_SITE.items():
        setattr(config, name, (os.environ.get(name) if environment else None) or value)
    return config


@_with_demo_site
class DevelopmentConfig(Config):
    REQUIRE_SECRET_KEY = False
    DEMO_SEED_ALLOWED = True
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    TESTING = True
    REQUIRE_SECRET_KEY = False
    DEMO_SEED_ALLOWED = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True
    MAIL_BACKEND = "console"
    GEOCODER_ENABLED = False
    BASE_URL = "http://localhost"
    OPEN_DATA_FEED_DELAY_SECONDS = 0


_with_demo_site(TestConfig, environment=False)  # the suite's pages never depend on the environment

# The names MAILLAGE_ENV accepts. TestConfig is not among them: it disables CSRF, and the test suite
# builds it directly; any other name (« test » included) refuses to start.
CONFIGS = {"production": Config, "development": DevelopmentConfig}
SECRET_KEY_MIN_LENGTH = 32
SECRET_KEY_MIN_DISTINCT = 10


def config_from_env():
    name = os.environ.get("MAILLAGE_ENV", "production")
    if name not in CONFIGS:
        shown = "".join(char if char.isprintable() else "?" for char in name[:40])
        raise RuntimeError(f"MAILLAGE_ENV={shown} n'est pas un environnement connu : indiquez production (par "
                           "défaut) ou development. La configuration de test (qui désactive la protection CSRF) "
                           "ne sert qu'à la suite de tests.")
    return CONFIGS[name]


def _invalid_fernet_keys(value: str) -> list[int]:
    """The positions (from 1) of the comma-separated entries that are not Fernet keys; [0] when
    there is no key at all."""
    from cryptography.fernet import Fernet

    entries = [entry.strip() for entry in value.split(",")]
    if not any(entries):
        return [0]
    invalid = []
    for position, entry in enumerate(entries, start=1):
        try:
            Fernet(entry)
        except (ValueError, TypeError):
            invalid.append(position)
    return invalid


def _check_rate_limit_storage(config) -> None:
    """A redis:// storage (rediss://, redis+unix://, redis+sentinel://, redis+cluster://) needs the
    redis client, the [redis] extra: without it, a French refusal rather than a crash at the first
    request or in Flask-Limiter's English. The URL is never repeated (it may carry a password)."""
    uri = (config.get("RATELIMIT_STORAGE_URI") or "").strip()
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    if not scheme.startswith("redis"):
        return
    try:
        import redis  # noqa: F401 - only its presence is checked
    except ImportError:
        raise RuntimeError(f"RATELIMIT_STORAGE_URI utilise Redis ({scheme}://…) mais le client Python redis n'est "
                           "pas installé : installez l'application avec l'option [redis], par exemple "
                           "`.venv/bin/pip install '.[redis]'`, puis redémarrez.") from None


def check(config) -> None:
    """Refuses to start on settings that cannot work anywhere, and, in production, on settings that
    are only safe on a developer's machine."""
    _check_rate_limit_storage(config)
    if not config.get("REQUIRE_SECRET_KEY"):
        return
    key = config["SECRET_KEY"] or ""
    if key == DEV_SECRET_KEY or len(key) < SECRET_KEY_MIN_LENGTH:
        raise RuntimeError(f"SECRET_KEY n'est pas défini ou trop court : fixez une valeur aléatoire d'au moins "
                           f"{SECRET_KEY_MIN_LENGTH} caractères, par exemple avec `python -c \"import secrets; "
                           "print(secrets.token_urlsafe(48))\"` (ou MAILLAGE_ENV=development en local).")
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        raise RuntimeError(f"SECRET_KEY est trop facile à deviner : il compte moins de {SECRET_KEY_MIN_DISTINCT} "
                           "caractères différents. Fixez une valeur aléatoire, par exemple avec `python -c "
                           "\"import secrets; print(secrets.token_urlsafe(48))\"`.")
    generate = ("`python -c \"from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())\"`")
    invalid = _invalid_fernet_keys(config.get("PERSONAL_DATA_KEYS") or "")
    if invalid == [0]:
        raise RuntimeError(f"PERSONAL_DATA_KEYS n'est pas défini : générez une clé avec {generate} "
                           "(ou MAILLAGE_ENV=development en local).")
    if invalid:
        positions = ", ".join(f"n° {position}" for position in invalid)
        raise RuntimeError(f"PERSONAL_DATA_KEYS contient une valeur qui n'est pas une clé Fernet ({positions}, "
                           "en comptant à partir de la gauche, séparées par des virgules) : chaque clé compte "
                           f"44 caractères et se génère avec {generate}.")
    if config["MAIL_BACKEND"] == "console":
        raise RuntimeError("MAIL_BACKEND=console n'envoie aucun courriel : configurez MAIL_BACKEND=smtp et SMTP_* "
                           "(ou MAILLAGE_ENV=development en local).")
