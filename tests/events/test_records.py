"""After the meeting: attendance, minutes (sanitised, published and mailed once), the series'
compilation, participation per organisation over twelve months."""
import re
from datetime import timedelta

import pytest

from coordination.core.clock import utcnow
from coordination.errors import Invalid, PermissionDenied
from coordination.events import charts, markdown, records
from coordination.events.models import MeetingSeries
from coordination.extensions import db as _db
from coordination.testing.factories import make_member, make_organisation
from tests.events.conftest import invite, make_meeting

EVIL = ("# Bilan\n\nTexte **important**.\n\n<script>alert('minutes')</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n[un lien](javascript:alert(2)) et [le site](https://exemple.fr)\n\n"
        "<a href=\"https://exemple.fr\" onclick=\"alert(3)\">clic</a>")


def test_markdown_is_rendered_and_sanitised():
    html = str(markdown.to_html(EVIL))
    assert "<h2>Bilan</h2>" in html and "<strong>important</strong>" in html
    for bad in ("<script", "alert('minutes')", "onerror", "<img", "javascript:", "onclick", "<h1>"):
        assert bad not in html
    assert '<a href="https://exemple.fr" rel="noopener nofollow">le site</a>' in html
    assert markdown.to_html("") == "" and markdown.to_html(None) == ""


def test_a_script_in_the_minutes_never_reaches_the_page(client, login, meeting, network, mail_outbox):
    meeting.starts_at -= timedelta(days=20)
    meeting.ends_at -= timedelta(days=20)
    records.save_minutes(meeting.id, EVIL, actor=network.coordinator, publish=True)
    for person in (network.member, network.coordinator):
        login(person)
        body = client.get(f"/reunions/{meeting.id}").get_data(as_text=True)
        assert "<strong>important</strong>" in body
        assert "<script>alert" not in body and "onerror" not in body and "javascript:" not in body
        client.post("/deconnexion")
    login(network.coordinator)
    assert client.get("/reunions/series/0/compilation").status_code == 404


def took_place(meeting):
    meeting.starts_at, meeting.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    _db.session.commit()


def test_minutes_cannot_be_published_before_the_meeting(meeting, network, mail_outbox):
    with pytest.raises(Invalid):
        records.save_minutes(meeting.id, "Compte rendu", actor=network.coordinator, publish=True)
    assert mail_outbox() == [] and meeting.minutes_published_at is None
    records.save_minutes(meeting.id, "Brouillon", actor=network.coordinator)  # a draft is fine
    assert meeting.minutes == "Brouillon"


def test_publishing_mails_members_of_active_organisations_once(db, meeting, network, mail_outbox):
    took_place(meeting)
    records.save_minutes(meeting.id, "Compte rendu brouillon", actor=network.coordinator)
    assert mail_outbox() == [] and meeting.minutes_published_at is None
    records.save_minutes(meeting.id, "Compte rendu final", actor=network.coordinator, publish=True)
    records.save_minutes(meeting.id, "Compte rendu corrigé", actor=network.coordinator, publish=True)
    recipients = sorted(m.recipient for m in mail_outbox())
    assert recipients == sorted([network.admin.email, network.member.email, network.other_member.email])
    assert "Compte rendu final" in mail_outbox()[0].body_text
    assert db.session.get(type(meeting), meeting.id).minutes == "Compte rendu corrigé"


def test_minutes_are_for_coordinators_to_write_and_for_members_once_published(client, login, meeting, network):
    took_place(meeting)
    with pytest.raises(PermissionDenied):
        records.save_minutes(meeting.id, "Texte", actor=network.admin, publish=True)
    with pytest.raises(Invalid):
        records.save_minutes(meeting.id, "   ", actor=network.coordinator, publish=True)
    records.save_minutes(meeting.id, "Brouillon secret", actor=network.coordinator)
    login(network.member)
    assert "Brouillon secret" not in client.get(f"/reunions/{meeting.id}").get_data(as_text=True)
    records.save_minutes(meeting.id, "Version publiée", actor=network.coordinator, publish=True)
    assert "Version publiée" in client.get(f"/reunions/{meeting.id}").get_data(as_text=True)


def test_attendance_is_recorded_after_the_start_only(db, meeting, network):
    ids = meeting.test_invitations
    with pytest.raises(Invalid):
        records.record_attendance(meeting.id, {ids.member.id}, actor=network.coordinator)
    meeting.starts_at, meeting.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        records.record_attendance(meeting.id, {ids.member.id}, actor=network.admin)
    records.record_attendance(meeting.id, {ids.member.id, ids.other.id}, actor=network.coordinator)
    assert [i.attended for i in (ids.admin, ids.member, ids.other, ids.suspended)] == [False, True, True, False]
    other_meeting = make_meeting()
    stranger = invite(other_meeting, network.admin, network.active)
    with pytest.raises(Invalid):
        records.record_attendance(meeting.id, {stranger.id}, actor=network.coordinator)


@pytest.fixture
def history(db, network):
    """Four meetings: three held in the last twelve months, one fourteen months ago; one cancelled."""
    now = utcnow()
    quiet = make_organisation("Zeste, association sans réunion")
    make_member(quiet, name="Iris Absente")
    held = [make_meeting(starts_in=-timedelta(days=days)) for days in (300, 200, 30)]
    old = make_meeting(starts_in=-timedelta(days=420))
    cancelled = make_meeting(starts_in=-timedelta(days=100), status="cancelled")
    for meeting in [*held, old, cancelled]:
        for user, organisation in ((network.admin, network.active), (network.member, network.active),
                                   (network.other_member, network.other)):
            invite(meeting, user, organisation, attended=False)
    # active: two people at the first meeting, one at the third; other: one at the second;
    # nobody counted at the old or the cancelled meeting even if marked present
    marks = [(held[0], network.admin), (held[0], network.member), (held[2], network.member),
             (held[1], network.other_member), (old, network.admin), (cancelled, network.admin)]
    for meeting, user in marks:
        next(i for i in meeting.invitations if i.user_id == user.id).attended = True
    db.session.commit()
    return now, quiet


def test_participation_over_twelve_months_on_a_known_history(history, network):
    now, quiet = history
    stats = records.participation(actor=network.coordinator, now=now)
    assert stats.meetings == 3 and stats.recorded == 3
    rows = {row.organisation.name: (row.invited, row.attended, row.people, row.rate) for row in stats.rows}
    assert rows["Association Clic et Déclic"] == (3, 2, 3, pytest.approx(2 / 3))
    assert rows["Médiathèque Diderot"] == (3, 1, 1, pytest.approx(1 / 3))
    assert rows[quiet.name] == (0, 0, 0, None)
    assert [row.organisation.name for row in stats.rows][:2] == ["Association Clic et Déclic", "Médiathèque Diderot"]
    csv_text = records.participation_csv(stats)
    assert "Association Clic et Déclic;3;2;3;0,67" in csv_text.splitlines()
    with pytest.raises(PermissionDenied):
        records.participation(actor=network.admin)


def test_participation_page_has_a_chart_a_table_and_a_csv(client, login, history, network):
    login(network.coordinator)
    body = client.get("/coordination/reunions/participation").get_data(as_text=True)
    assert 'role="img"' in body and "<title id=\"participation-chart-title\">" in body
    assert "<caption>Participation par organisation, douze derniers mois</caption>" in body
    assert "67 %" in body
    download = client.get("/coordination/reunions/participation.csv")
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    assert "Médiathèque Diderot;3;1;1;0,33" in download.get_data(as_text=True)


def test_the_chart_escapes_names():
    svg = str(charts.bar_chart([("<script>x</script>", 2), ("B", 0)], title="T", description="D", chart_id="c"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg


def test_csv_cells_never_start_a_formula(db, network):
    make_organisation("=HYPERLINK(\"http://x\")")
    text = records.participation_csv(records.participation(actor=network.coordinator))
    assert "'=HYPERLINK" in text


def test_the_compilation_holds_every_published_minutes_of_a_series(client, login, db, network):
    series = MeetingSeries(title="Réunions trimestrielles", rrule="FREQ=YEARLY;BYMONTH=3,6,9,12;BYDAY=2TU",
                           first_start_local=utcnow().replace(microsecond=0) - timedelta(days=400))
    db.session.add(series)
    db.session.commit()
    first = make_meeting(starts_in=-timedelta(days=180), series_id=series.id)
    second = make_meeting(starts_in=-timedelta(days=90), series_id=series.id)
    draft = make_meeting(starts_in=-timedelta(days=2), series_id=series.id)
    records.save_minutes(second.id, "## Deuxième\nTexte B", actor=network.coordinator, publish=True)
    records.save_minutes(first.id, "## Première\nTexte A", actor=network.coordinator, publish=True)
    records.save_minutes(draft.id, "Brouillon C", actor=network.coordinator)
    login(network.member)
    body = client.get(f"/reunions/series/{series.id}/compilation").get_data(as_text=True)
    assert body.index("Texte A") < body.index("Texte B") and "Brouillon C" not in body
    assert client.get(f"/reunions/series/{series.id}").status_code == 200
    client.post("/deconnexion")
    login(network.coordinator)
    assert "Brouillon C" in client.get(f"/reunions/series/{series.id}/compilation").get_data(as_text=True)


def test_a_long_label_is_wrapped_whole_never_cut():
    label = "Maîtrise des outils numériques du quotidien, et bien des choses encore"
    svg = str(charts.bar_chart([(label, 3), ("Court", 1)], title="T", description="D", chart_id="c"))
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert "…" not in svg and " ".join(lines[:-1]) == label and lines[-1] == "Court"
    assert len(lines) > 2 and all(len(line) <= charts.LABEL_CHARS for line in lines)
    # drawn in CSS pixels (no viewBox): the text is never scaled below its size on a phone
    assert "viewBox" not in svg and f'font-size="{charts.FONT_SIZE}"' in svg and charts.FONT_SIZE >= 12
