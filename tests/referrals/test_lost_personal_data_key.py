"""A personal-data key removed too early leaves the referral page usable: the unreadable data is
said, and the referral can still be answered."""
from cryptography.fernet import Fernet

from coordination.extensions import db
from coordination.referrals import services, workflow
from coordination.referrals.models import Referral


def test_a_key_removed_too_early_leaves_the_page_usable(app, client, login, send, referral_partners, monkeypatch):
    referral = send()
    services.add_comment(referral.uid, "Rendez-vous mardi.", actor=referral_partners.member_b)
    monkeypatch.setitem(app.config, "PERSONAL_DATA_KEYS", Fernet.generate_key().decode())
    login(referral_partners.member_b)
    page = client.get(f"/orientations/{referral.uid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ne peuvent pas être lues" in html and "commentaire illisible" in html
    assert client.post(f"/orientations/{referral.uid}/accepter", data={}).status_code == 302
    assert db.session.get(Referral, referral.id).status == workflow.ACCEPTED
