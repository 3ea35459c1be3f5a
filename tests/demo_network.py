"""The demo network and its pages, shared by the sweeps over every page (French wording, 360 px).

``demo_network`` seeds the demo and adds what the seed leaves out; ``route_pages`` lists every GET
route whose arguments the demo provides; ``crawl`` follows the links of the pages from a user's
home, so that a page reached only through another page's link is visited too."""
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from sqlalchemy import select

from coordination.auth.models import User
from coordination.core.clock import utcnow
from coordination.directory import demo
from coordination.directory.models import Place
from coordination.events import rsvp
from coordination.events.models import Meeting, MeetingInvitation, MeetingSeries
from coordination.extensions import db as _db
from coordination.referrals import services as referrals
from tests.referrals.conftest import referral_data

PARTNER = "maelle.guerin@demo.maillage.fr"  # admin of « Les Connecteurs de l’Erdre »
PARTNER_MEMBER = "yanis.bouchard@demo.maillage.fr"  # member (not admin) of the same organisation

# endpoints that are not pages (files, feeds, downloads) or that change something when visited
SKIPPED = {"static", "assets.vendor", "site.favicon", "site.apple_touch_icon", "events.feed", "auth.logout"}
NOT_PAGES = re.compile(r"\.(ics|csv|json|geojson|jsonld|xml|txt|png|ico|svg|zip|pdf)$|^/api/v1/(?!$)")
# the public pages in another language than French: the same templates (their own tests visit them)
OTHER_LANGUAGE = re.compile(r"^/(?:en|es|ar|uk)(?:/|$)")


def demo_network(runner) -> dict:
    """The demo seed, with what it leaves out: a meeting series, a meeting the partner is invited
    to, and a referral from the partner's organisation to another organisation's place."""
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    partner = _db.session.scalar(select(User).where(User.email == PARTNER))
    member = _db.session.scalar(select(User).where(User.email == PARTNER_MEMBER))
    coordinator = _db.session.scalar(select(User).where(User.email == demo.COORDINATOR_EMAIL))
    organisation = partner.memberships[0].organisation
    start = (utcnow() + timedelta(days=10)).replace(hour=13, minute=30, second=0, microsecond=0)
    series = MeetingSeries(title="Réunions trimestrielles du réseau", rrule="FREQ=MONTHLY;INTERVAL=3",
                           first_start_local=start, duration_minutes=150, created_by_id=coordinator.id,
                           address="Maison des associations, 2 rue Kervégan, 44000 Nantes")
    meeting = Meeting(title="Réunion trimestrielle du réseau", starts_at=start, series=series,
                      ends_at=start + timedelta(hours=2, minutes=30), agenda="1. Tour de table\n2. Actualités",
                      address="Maison des associations, 2 rue Kervégan, 44000 Nantes")
    invitation = MeetingInvitation(meeting=meeting, user=partner, organisation=organisation)
    _db.session.add_all([series, meeting, invitation])
    _db.session.commit()
    place = _db.session.scalar(select(Place).where(Place.organisation_id != organisation.id,
                                                   Place.accepts_referrals.is_(True)).order_by(Place.id))
    referral = referrals.create_referral(place.public_id, referral_data(organisation, service=place.services[0],
                                                       need="Renouveler sa demande de RSA, n’a pas d’ordinateur."),
                                         actor=partner)
    own_place = _db.session.scalar(select(Place).where(Place.organisation_id == organisation.id).order_by(Place.id))
    return {
        "partner": partner, "member": member, "coordinator": coordinator, "organisation": organisation,
        "arguments": {
            "public_id": place.public_id, "place_id": own_place.id, "organisation_id": organisation.id,
            "meeting_id": meeting.id, "series_id": series.id, "uid": referral.uid,
            "token": rsvp.make_token(invitation.id, "yes"),
        },
    }


def route_pages(app, arguments: dict) -> list[str]:
    """Every GET route whose arguments the demo provides, in French (no language prefix)."""
    urls = set()
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or "lang" in rule.arguments or rule.endpoint in SKIPPED:
                continue
            if not rule.arguments <= arguments.keys():
                continue
            values = {name: arguments[name] for name in rule.arguments}
            urls.add(rule.build(values, append_unknown=False)[1])
    return sorted(urls)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _site_path(href: str) -> str | None:
    """The path and query of a link within the site, or None (another site, a file, another language)."""
    href = urldefrag(href)[0]
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "localhost"):
        return None
    if not parts.path.startswith("/") or NOT_PAGES.search(parts.path) or OTHER_LANGUAGE.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, starts, limit: int = 400) -> list[str]:
    """The HTML pages (status 200) reached from ``starts`` by following links, with ``client``'s
    session. A path is visited once with each of at most two query strings (a search, a page of a
    list): the same template with other parameters adds nothing but time."""
    queue, seen, pages, variants = list(starts), set(starts), [], {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        response = client.get(url)
        html = response.mimetype == "text/html" and response.status_code == 200
        text = response.get_data(as_text=True) if html else ""
        response.close()
        if not html:
            continue
        pages.append(url)
        parser = _Links()
        parser.feed(text)
        for href in parser.hrefs:
            found = _site_path(href)
            if found is None or found in seen:
                continue
            path = found.split("?")[0]
            if "?" in found:
                if variants.get(path, 0) >= 2:
                    continue
                variants[path] = variants.get(path, 0) + 1
            seen.add(found)
            queue.append(found)
    return pages
