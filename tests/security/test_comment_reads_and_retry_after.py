"""Finding 15 of the security review: reading a referral's comments (they may name the person) was
not audited, unlike reading the person; and every rate-limited answer (each API 200, each login
form) carried a `Retry-After` header, which means « wait before retrying » only on 429 and 503.
Comments read are audited (`referral.comments_read`); Retry-After is sent on 429 and 503 only; the
API keeps its `X-RateLimit-*` headers (documented in its OpenAPI description)."""
import pytest
from sqlalchemy import select

from coordination.audit import AuditRecord
from coordination.referrals import services
from coordination.testing.factories import make_user
from tests.referrals import conftest as referral_fixtures

referral_partners = referral_fixtures.referral_partners  # organisations A (sends) and B (receives), C outside
send = referral_fixtures.send

COMMENT_READ = "referral.comments_read"


def reads(db, action=COMMENT_READ):
    return db.session.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)).all()


def test_reading_comments_is_audited_like_reading_the_person(db, referral_partners, send):
    referral = send()
    services.add_comment(referral.uid, "Appeler Zéphyrine le matin.", actor=referral_partners.member_b)
    services.comments(referral, actor=referral_partners.member_a)
    services.comments(referral, actor=referral_partners.member_b)
    records = reads(db)
    assert [(record.actor_id, record.object_id) for record in records] == [
        (referral_partners.member_a.id, str(referral.id)), (referral_partners.member_b.id, str(referral.id))]
    assert records[0].details == {"comments": 1}
    assert "Zéphyrine" not in repr(db.session.scalars(select(AuditRecord.details)).all())  # never the text


def test_the_referral_page_records_both_reads(client, db, referral_partners, send, login):
    referral = send()
    services.add_comment(referral.uid, "Rappeler vendredi.", actor=referral_partners.member_b)
    login(referral_partners.member_b)
    assert client.get(f"/orientations/{referral.uid}").status_code == 200
    assert len(reads(db, "referral.personal_data_read")) == 1
    assert [record.actor_id for record in reads(db)] == [referral_partners.member_b.id]


def test_no_comment_no_read_recorded(db, referral_partners, send):
    referral = send()
    services.comments(referral, actor=referral_partners.member_a)
    assert reads(db) == []


def test_nobody_outside_the_two_organisations_reads_comments(db, referral_partners, send):
    from coordination.errors import NotFound
    referral = send()
    services.add_comment(referral.uid, "Rappeler vendredi.", actor=referral_partners.member_b)
    for outsider in (referral_partners.admin_c, referral_partners.coordinator):
        with pytest.raises(NotFound):
            services.comments(referral, actor=outsider)
    assert reads(db) == []


# --- Retry-After only on 429 and 503 ----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/lieux", "/api/v1/lieux/changements", "/api/v1/openapi.json"])
def test_an_api_200_has_rate_limit_headers_but_no_retry_after(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Retry-After" not in response.headers
    assert response.headers["X-RateLimit-Limit"] == "120"
    assert response.headers["X-RateLimit-Remaining"] == "119"
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_a_login_form_answer_has_no_retry_after(client, db):
    make_user("camille@exemple.fr")
    response = client.post("/connexion", data={"email": "camille@exemple.fr", "password": "faux"})
    assert response.status_code == 200
    assert "Retry-After" not in response.headers
    assert not any(name.startswith("X-RateLimit") for name in response.headers.keys())


def test_a_429_still_says_when_to_retry(app, client, monkeypatch, db):
    monkeypatch.setitem(app.config, "RATELIMIT_API", "2 per minute")
    assert [client.get("/api/v1/lieux").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/lieux")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 61  # rounded up: never too early
    assert response.headers["X-RateLimit-Remaining"] == "0"

    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "1 per minute")
    assert client.post("/connexion", data={"email": "a@exemple.fr", "password": "x"}).status_code == 200
    refused = client.post("/connexion", data={"email": "a@exemple.fr", "password": "x"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 61


def test_the_openapi_description_documents_the_rate_limit_headers(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    ok = spec["paths"]["/lieux"]["get"]["responses"]["200"]["headers"]
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(ok)
    assert "Retry-After" not in ok
    assert "Retry-After" in spec["paths"]["/lieux"]["get"]["responses"]["429"]["headers"]
