"""Finding 4 of the security review: the README's production setting
`RATELIMIT_STORAGE_URI=redis://…` crashed gunicorn and the scheduler at boot, because the `redis`
client was not declared. It is now the `[redis]` extra (installed by the README's production steps,
and by the dev extra); without it the application refuses to start with a French message."""
import configparser
import sys
import uuid
from pathlib import Path

import pytest

from coordination import create_app
from coordination.config import TestConfig
from coordination.extensions import db as _db
from coordination.extensions import limiter
from coordination.testing.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"


def _reachable_redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis injoignable sur 127.0.0.1:6379")
    return client


@pytest.fixture
def limiter_state():
    """The limiter is one object shared by every app of the process: a second create_app points it
    at the new storage. Put the suite's storage back afterwards."""
    saved = (limiter._storage, limiter._limiter, limiter._key_prefix)
    yield
    limiter._storage, limiter._limiter, limiter._key_prefix = saved


@pytest.fixture
def redis_app(tmp_path, limiter_state, app):
    client = _reachable_redis()
    prefix = f"maillage-test-{uuid.uuid4().hex}"

    class OnRedis(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]  # the suite's tables
        SEARCH_INDEX_DIR = str(tmp_path / "index")
        OPEN_DATA_DIR = str(tmp_path / "open-data")
        IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
        RATELIMIT_STORAGE_URI = REDIS_URL
        RATELIMIT_KEY_PREFIX = prefix
        RATELIMIT_LOGIN = "3 per minute"

    limiter._key_prefix = ""  # taken from the first app's configuration otherwise
    application = create_app(OnRedis)
    with application.app_context():
        _db.create_all()  # a new in-memory SQLite database; on PostgreSQL, the suite's own tables
        yield application, client, prefix
        _db.session.remove()
        _db.engine.dispose()
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)


def test_the_app_boots_on_redis_and_login_limits_are_counted_there(redis_app):
    application, client, prefix = redis_app
    user = make_user("camille@exemple.fr")
    browser = application.test_client()
    statuses = [browser.post("/connexion", data={"email": user.email, "password": "faux"}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert any(client.scan_iter(match=f"*{prefix}*")), "the counters live in Redis"


def test_without_the_redis_client_the_app_refuses_to_start_in_french(monkeypatch, limiter_state):
    monkeypatch.setitem(sys.modules, "redis", None)  # `import redis` now fails, as when it is missing

    class OnRedis(TestConfig):
        RATELIMIT_STORAGE_URI = "redis://:motdepasse@127.0.0.1:6379/0"

    with pytest.raises(RuntimeError, match=r"RATELIMIT_STORAGE_URI.*\[redis\]") as raised:
        create_app(OnRedis)
    assert "motdepasse" not in str(raised.value)  # the URL may carry a password: never repeated


@pytest.mark.parametrize("scheme", ["rediss", "redis+unix", "redis+sentinel", "redis+cluster"])
def test_every_redis_scheme_needs_the_client(monkeypatch, limiter_state, scheme):
    monkeypatch.setitem(sys.modules, "redis", None)

    class OnRedis(TestConfig):
        RATELIMIT_STORAGE_URI = f"{scheme}://127.0.0.1:6379"

    with pytest.raises(RuntimeError, match=r"\[redis\]"):
        create_app(OnRedis)


def test_the_redis_client_is_declared_as_an_extra_and_for_the_suite():
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    extras = setup["options.extras_require"]
    assert any(line.strip().startswith("redis") for line in extras["redis"].splitlines())
    assert any(line.strip().startswith("redis") for line in extras["dev"].splitlines())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme[readme.index("## Production deployment"):]
    assert ".[redis]" in production
