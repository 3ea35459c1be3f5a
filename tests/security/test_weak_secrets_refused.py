"""Finding 11 of the security review: production started with a SECRET_KEY made of one repeated
character, with a PERSONAL_DATA_KEYS that is not a Fernet key (the first referral then failed), and
with MAILLAGE_ENV=test outside the suite (CSRF silently off). Each now refuses to start, in French."""
import pytest
from cryptography.fernet import Fernet

from coordination import create_app
from coordination.config import CONFIGS, Config, DevelopmentConfig, config_from_env

STRONG_SECRET = "q7R-vT2x_Lm9Zp4Kc8Wn3Yb6Hd1Fs5Gj0Ae"
FERNET_KEY = Fernet.generate_key().decode()


def production(**settings):
    values = {"SECRET_KEY": STRONG_SECRET, "PERSONAL_DATA_KEYS": FERNET_KEY, "MAIL_BACKEND": "smtp",
              "SQLALCHEMY_DATABASE_URI": "sqlite://"} | settings
    return type("Production", (Config,), values)


def test_a_production_with_strong_secrets_starts():
    app = create_app(production())
    assert app.config["WTF_CSRF_ENABLED"] is True


@pytest.mark.parametrize("secret", ["x" * 40, "ab" * 32, "012345678" * 4, "abcabcabc" * 8])
def test_a_secret_key_with_few_distinct_characters_is_refused(secret):
    assert len(secret) >= 32
    with pytest.raises(RuntimeError, match=r"SECRET_KEY .*caractères différents"):
        create_app(production(SECRET_KEY=secret))


def test_a_short_secret_key_is_still_refused():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production(SECRET_KEY="Zq8-w3Lp"))


@pytest.mark.parametrize("keys", ["a-key", "x" * 44, f"{FERNET_KEY},pas-une-cle", f"{FERNET_KEY[:-2]}", "  ,  "])
def test_personal_data_keys_that_are_not_fernet_keys_are_refused(keys):
    with pytest.raises(RuntimeError, match="PERSONAL_DATA_KEYS") as raised:
        create_app(production(PERSONAL_DATA_KEYS=keys))
    assert FERNET_KEY not in str(raised.value)  # the message never repeats a key


def test_several_fernet_keys_for_rotation_are_accepted():
    create_app(production(PERSONAL_DATA_KEYS=f"{Fernet.generate_key().decode()}, {FERNET_KEY}"))


@pytest.mark.parametrize("name", ["test", "TEST", "testing", "staging", "dev ", "prod"])
def test_maillage_env_test_or_unknown_refuses_to_start(monkeypatch, name):
    monkeypatch.setenv("MAILLAGE_ENV", name)
    with pytest.raises(RuntimeError, match=r"MAILLAGE_ENV.*environnement connu"):
        create_app()


def test_the_test_configuration_is_not_selectable_from_the_environment(monkeypatch):
    assert set(CONFIGS) == {"production", "development"}
    monkeypatch.setenv("MAILLAGE_ENV", "development")
    assert config_from_env() is DevelopmentConfig
    monkeypatch.setenv("MAILLAGE_ENV", "production")
    assert config_from_env() is Config
    monkeypatch.delenv("MAILLAGE_ENV")
    assert config_from_env() is Config
