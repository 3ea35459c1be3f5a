"""flask users create-coordinator."""
from sqlalchemy import select

from coordination.auth.models import User
from coordination.testing.factories import PASSWORD, make_user
from tests.french import plain

STRONG = "coordination-2026-solide"


def user(db, email):
    return db.session.scalar(select(User).where(User.email == email))


def test_creates_a_coordinator_with_options(runner, db):
    result = runner.invoke(args=["users", "create-coordinator", "Coord@Exemple.fr", "--name", "Claude Coord",
                                 "--password", STRONG])
    assert result.exit_code == 0, plain(result.output)
    assert "Compte coordinateur créé : coord@exemple.fr" in plain(result.output)
    created = user(db, "coord@exemple.fr")
    assert created.is_coordinator and created.name == "Claude Coord" and created.check_password(STRONG)


def test_prompts_for_the_password_twice_without_echo(runner, db):
    result = runner.invoke(args=["users", "create-coordinator", "coord@exemple.fr"], input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, plain(result.output)
    assert STRONG not in plain(result.output)
    assert "Confirmez le mot de passe" in plain(result.output)
    assert user(db, "coord@exemple.fr").check_password(STRONG)


def test_mismatched_confirmation_asks_again(runner, db):
    result = runner.invoke(args=["users", "create-coordinator", "coord@exemple.fr"],
                           input=f"{STRONG}\nautre-chose-encore\n{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, plain(result.output)
    assert "Les deux mots de passe ne correspondent pas." in plain(result.output)
    assert "do not match" not in plain(result.output)
    assert plain(result.output).count("Confirmez le mot de passe") == 2
    assert user(db, "coord@exemple.fr").check_password(STRONG)


def test_short_password_is_refused(runner, db):
    result = runner.invoke(args=["users", "create-coordinator", "coord@exemple.fr", "--password", "court"])
    assert result.exit_code != 0
    assert "au moins 12 caractères" in plain(result.output)
    assert user(db, "coord@exemple.fr") is None


def test_invalid_email_is_refused(runner, db):
    result = runner.invoke(args=["users", "create-coordinator", "pas-une-adresse", "--password", STRONG])
    assert result.exit_code != 0
    assert "Adresse électronique invalide." in plain(result.output)


def test_existing_user_becomes_coordinator_without_prompt(runner, db):
    existing = make_user("camille@exemple.fr")
    result = runner.invoke(args=["users", "create-coordinator", "camille@exemple.fr"])
    assert result.exit_code == 0, plain(result.output)
    assert "camille@exemple.fr est désormais coordinateur." in plain(result.output)
    db.session.refresh(existing)
    assert existing.is_coordinator and existing.check_password(PASSWORD)


def test_coordinator_can_log_in_and_open_the_space(runner, client):
    runner.invoke(args=["users", "create-coordinator", "coord@exemple.fr", "--password", STRONG])
    client.post("/connexion", data={"email": "coord@exemple.fr", "password": STRONG})
    assert client.get("/coordination").status_code == 200
