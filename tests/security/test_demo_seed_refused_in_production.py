"""Finding 12 of the security review: `flask demo seed` ran in production and created a coordinator
whose password is printed in the README. Production refuses it (DEMO_SEED_ALLOWED is false there),
with a French message and a non-zero exit code; development and the suite still seed."""
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from coordination import create_app
from coordination.auth.models import Organisation, User
from coordination.config import Config, DevelopmentConfig
from coordination.extensions import db as _db


class Production(Config):
    SECRET_KEY = "q7R-vT2x_Lm9Zp4Kc8Wn3Yb6Hd1Fs5Gj0Ae"
    PERSONAL_DATA_KEYS = Fernet.generate_key().decode()
    MAIL_BACKEND = "smtp"
    SQLALCHEMY_DATABASE_URI = "sqlite://"


@pytest.fixture
def production_app(tmp_path):
    class Settings(Production):
        SEARCH_INDEX_DIR = str(tmp_path / "index")
        OPEN_DATA_DIR = str(tmp_path / "open-data")
        IMPORT_UPLOAD_DIR = str(tmp_path / "imports")

    app = create_app(Settings)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.mark.parametrize("arguments", [[], ["--if-empty"]])
def test_demo_seed_is_refused_in_production(production_app, arguments):
    result = production_app.test_cli_runner().invoke(args=["demo", "seed", *arguments])
    assert result.exit_code != 0
    assert "production" in result.output and "démonstration" in result.output
    assert "demo-maillage" not in result.output  # the public password is not even printed
    assert _db.session.scalar(select(func.count()).select_from(User)) == 0
    assert _db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_the_service_refuses_too(production_app):
    from coordination.directory import demo
    with pytest.raises(demo.DemoRefused, match="production"):
        demo.seed(if_empty=False, echo=print)
    assert _db.session.scalar(select(func.count()).select_from(User)) == 0


def test_only_development_and_the_suite_allow_the_demo(app):
    assert Config.DEMO_SEED_ALLOWED is False
    assert DevelopmentConfig.DEMO_SEED_ALLOWED is True
    assert app.config["DEMO_SEED_ALLOWED"] is True
