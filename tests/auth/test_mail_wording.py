"""The account mails read well whatever the network is called, and are all signed the same way."""
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import render_template

import coordination
from tests.french import plain

MAIL_DIR = Path(coordination.__file__).parent / "auth" / "templates" / "auth" / "mail"
AUTH_MAILS = sorted(p.name for p in MAIL_DIR.glob("*.txt"))
NETWORK = "Les Fabriques numériques du Pays de Retz"


def context():
    organisation = SimpleNamespace(name="Les Connectés", pivot="W441234567", contact_email="contact@exemple.fr",
                                   contact_phone="+33240000000", website="https://exemple.fr")
    return dict(network_name=NETWORK, base_url="http://localhost", organisation=organisation,
                user=SimpleNamespace(name="Camille Martin"), inviter=SimpleNamespace(name="Alex Admin"),
                member=SimpleNamespace(name="Nour Nouvelle", email="nour@exemple.fr"), by_coordination=False,
                role_label="Membre", has_account=False, link="http://localhost/lien", reason="Un motif.",
                kind_label="Association", minutes=60, days=7, expires_at=datetime(2026, 3, 31, 22, 30),
                login_link="http://localhost/connexion", join_link="http://localhost/rejoindre",
                forgot_link="http://localhost/mot-de-passe-oublie")


def test_there_are_account_mails():
    assert len(AUTH_MAILS) >= 10


@pytest.mark.parametrize("template", AUTH_MAILS)
def test_network_name_reads_well_and_signs_every_mail(app, template):
    with app.test_request_context():
        body = render_template(f"auth/mail/{template}", **context())
    # "du Les Fabriques…", "au Les…", "dans le Les…" read badly: the name is quoted after "réseau".
    assert not re.search(rf"\b(du|au|le|de) {re.escape(NETWORK)}", body), body
    assert body.rstrip().endswith(f"— {NETWORK}"), body


def test_invitation_mail_gives_its_expiry_in_paris_time(app):
    with app.test_request_context():
        body = plain(render_template("auth/mail/invitation.txt", **context()))
    assert "valable jusqu'au 1er avril 2026 à 0\u00a0h\u00a030" in body  # 22:30 UTC is already April in Paris
