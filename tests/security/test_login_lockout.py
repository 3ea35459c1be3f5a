"""Finding 3 of the security review: nobody can lock somebody else out of their account.

Ten wrong passwords from one address used to make the right password fail from any address.
Failures are now counted per account, and only the addresses that failed wait, longer and longer;
the per-address limit stays."""
import pytest
from sqlalchemy import select

from coordination.auth.models import LoginFailure
from coordination.testing.factories import PASSWORD, make_user
from tests.auth.helpers import text

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


def attempt(client, password, address, email="camille@exemple.fr"):
    return client.post("/connexion", data={"email": email, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


@pytest.fixture
def account(db):
    return make_user("camille@exemple.fr")


def fail(client, times, address=ATTACKER, email="camille@exemple.fr"):
    for index in range(times):
        # Several attacker addresses, so that the per-address limit is not what answers.
        attempt(client, "mauvais", f"{address}{index // 5}" if address == ATTACKER else address, email)


def test_wrong_passwords_from_elsewhere_never_refuse_the_owner(client, account):
    fail(client, 10)
    response = attempt(client, PASSWORD, OWNER)
    assert response.status_code == 302


def test_an_address_that_failed_waits_longer_and_longer(app, client, account):
    from coordination.auth.services import login_wait
    for _ in range(5):
        assert attempt(client, "mauvais", ATTACKER).status_code == 200
    blocked = attempt(client, PASSWORD, ATTACKER)
    assert blocked.status_code == 429
    assert "Trop de tentatives pour ce compte" in text(blocked)
    assert int(blocked.headers["Retry-After"]) >= 1
    with app.test_request_context():
        first_wait = login_wait(account.email, ATTACKER)
        # more failures on the account (from elsewhere) make the failed address wait longer
        fail(client, 4, address="192.0.2.50")
        second_wait = login_wait(account.email, ATTACKER)
        assert login_wait(account.email, OWNER) == 0
    assert 0 < first_wait < second_wait


def test_a_blocked_attempt_does_not_check_the_password(client, account, monkeypatch):
    """While an address waits, its answer is the same for the right and the wrong password."""
    for _ in range(6):
        attempt(client, "mauvais", ATTACKER)
    right, wrong = attempt(client, PASSWORD, ATTACKER), attempt(client, "mauvais", ATTACKER)
    assert right.status_code == wrong.status_code == 429


def test_a_success_clears_the_failures_of_the_account(client, account, db):
    fail(client, 3, address=OWNER)
    assert attempt(client, PASSWORD, OWNER).status_code == 302
    assert db.session.scalars(select(LoginFailure)).all() == []


def test_unknown_accounts_are_counted_the_same(client, db):
    for _ in range(6):
        attempt(client, "mauvais", ATTACKER, email="personne@exemple.fr")
    assert attempt(client, "mauvais", ATTACKER, email="personne@exemple.fr").status_code == 429


def test_failures_keep_no_clear_address(client, account, db):
    attempt(client, "mauvais", ATTACKER)
    (failure,) = db.session.scalars(select(LoginFailure)).all()
    assert ATTACKER not in failure.address_hash and failure.email == "camille@exemple.fr"


def test_the_per_address_limit_stays(app, client, db):
    per_minute = int(app.config["RATELIMIT_LOGIN"].split()[0])
    for index in range(per_minute):
        attempt(client, "mauvais", ATTACKER, email=f"compte{index}@exemple.fr")
    assert attempt(client, "mauvais", ATTACKER, email="encore@exemple.fr").status_code == 429


def test_old_failures_are_purged(client, account, db):
    from datetime import timedelta

    from coordination.auth.services import purge_login_failures
    from coordination.core.clock import utcnow
    fail(client, 3, address=OWNER)
    for failure in db.session.scalars(select(LoginFailure)):
        failure.failed_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert purge_login_failures() == 3
    assert attempt(client, PASSWORD, OWNER).status_code == 302
