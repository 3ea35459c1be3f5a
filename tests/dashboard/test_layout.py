"""Every coordination page shows the coordination navigation (templates/coordination/layout.html),
with the page's own entry marked as the current page."""
import re
from datetime import timedelta

import pytest

from coordination.auth.models import OrganisationImport
from coordination.core.clock import utcnow
from coordination.directory.models import NetworkLabel
from coordination.freshness.models import FreshnessCampaign
from coordination.events.models import Meeting
from coordination.testing.factories import make_organisation
from tests.auth.helpers import text
from tests.directory.imports.helpers import upload

NAV_ENTRIES = {
    "Accueil": "/coordination", "Organisations": "/coordination/organisations", "Lieux": "/coordination/lieux",
    "Labels": "/coordination/labels",
    "Modération": "/coordination/moderation", "Fraîcheur": "/coordination/fraicheur",
    "Réunions": "/coordination/reunions", "Tableau de bord": "/coordination/tableau-de-bord",
    "Orientations": "/coordination/orientations", "Import": "/coordination/import",
}


@pytest.fixture
def ids(db, coordinator):
    """One of each thing a coordination URL names."""
    start = utcnow() + timedelta(days=7)
    meeting = Meeting(title="Réunion de rentrée", starts_at=start, ends_at=start + timedelta(hours=2),
                      address="Maison des associations, Nantes")
    record = OrganisationImport(file_name="cartographie.csv", actor_id=coordinator.id)
    campaign = FreshnessCampaign(name="Campagne d'automne", created_by_id=coordinator.id)
    label = NetworkLabel(code="accepte-le-pass-numerique", name="Accepte le Pass numérique")
    db.session.add_all([meeting, record, campaign, label])
    db.session.flush()
    organisation = make_organisation(status="pending", commit=False)
    organisation.import_id = record.id
    db.session.commit()
    return {"meeting_id": meeting.id, "import_id": record.id, "campaign_id": campaign.id, "label_id": label.id}


NOT_PAGES = {"events.series_preview"}  # JSON for a page's script (the recurrence picker's live preview)


def coordination_pages(app, ids) -> list[str]:
    """Every page (GET, not a download nor JSON) whose URL starts with /coordination, its arguments filled in."""
    urls = []
    with app.test_request_context():
        from flask import url_for
        for rule in app.url_map.iter_rules():
            if (rule.rule.startswith("/coordination") and "GET" in rule.methods and not rule.rule.endswith(".csv")
                    and rule.endpoint not in NOT_PAGES):
                missing = set(rule.arguments) - set(ids)
                assert not missing, f"{rule.rule}: give the fixture an id for {missing}"
                urls.append(url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments}))
    return sorted(urls)


def test_every_coordination_page_has_the_coordination_navigation(app, client, login, coordinator, ids, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path / "imports"))
    monkeypatch.setitem(app.config, "IMPORT_PROFILES_DIR", str(tmp_path / "profils"))
    login(coordinator)
    upload(client)  # a file in no known format: the mapping page has one to map
    pages = coordination_pages(app, ids)
    assert len(pages) >= 13 and set(NAV_ENTRIES.values()) <= set(pages)
    for url in pages:
        response = client.get(url)
        if response.status_code == 301:  # an old address that moved for good (its target is checked too)
            assert response.headers["Location"].split("#")[0] in pages, url
            continue
        assert response.status_code == 200, url
        page = text(response)
        nav = re.search(r'<nav class="coordination-nav" aria-label="Coordination">(.*?)</nav>', page, re.S)
        assert nav, f"{url}: no coordination navigation"
        for label, href in NAV_ENTRIES.items():
            assert f'href="{href}"' in nav.group(1), (url, label)
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav.group(1))
        assert current == ([url] if url in NAV_ENTRIES.values() else []), url


def test_the_coordination_navigation_is_not_shown_elsewhere(client, login, coordinator):
    login(coordinator)
    for url in ("/espace-partenaire", "/reunions", "/orientations", "/compte"):
        assert "coordination-nav" not in text(client.get(url)), url
