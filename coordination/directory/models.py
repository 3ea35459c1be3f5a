import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.auth.models import Organisation
from coordination.core.clock import utcnow
from coordination.extensions import db


def new_public_id() -> str:
    return str(uuid.uuid4())


class Place(db.Model):
    """A place (lieu) where residents get help; columns follow the national standard
    "Lieux de médiation numérique" 1.0.1. Multi-valued vocabularies are JSON lists of exact values."""
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    # The id a place had in the file it was imported from, when that id could not be its public id
    # (not a UUID): re-importing the same file finds the place again.
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Provenance (issue 15): the producer named by the imported file's `source` column (None: our
    # own place, published with NETWORK_NAME) and the place's id in that file, published as
    # `id_source` so that an aggregator can match our places with its own.
    source: Mapped[str | None] = mapped_column(String(200))
    source_id: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)

    name: Mapped[str] = mapped_column(String(250))
    # None only for a place imported with its coordinates and commune but without them (issue 15): it
    # is on the map and in searches, not in the open-data files (their standard requires an address).
    address: Mapped[str | None] = mapped_column(String(250))
    address_complement: Mapped[str | None] = mapped_column(String(250))
    postcode: Mapped[str | None] = mapped_column(String(5))
    commune: Mapped[str] = mapped_column(String(150))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    coordinates_source: Mapped[str | None] = mapped_column(String(20))  # geocoder | manual | import
    # Geocoding never blocks a save: a place without coordinates waits here for the geocoding job.
    geocode_status: Mapped[str | None] = mapped_column(String(10), index=True)  # pending | done | failed
    geocode_attempts: Mapped[int] = mapped_column(default=0)
    geocode_next_at: Mapped[datetime | None]

    opening_hours: Mapped[str | None] = mapped_column(Text)  # OSM opening_hours syntax
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    emails: Mapped[list] = mapped_column(JSON, default=list)
    website: Mapped[str | None] = mapped_column(String(500))
    # The standard's site_web may hold several URLs ("|"): the first is `website`, the others here.
    other_websites: Mapped[list] = mapped_column(JSON, default=list)
    appointment_url: Mapped[str | None] = mapped_column(String(500))  # prise_rdv
    accessibility_url: Mapped[str | None] = mapped_column(String(500))  # fiche_acces_libre
    summary: Mapped[str | None] = mapped_column(String(280))  # presentation_resume
    description: Mapped[str | None] = mapped_column(Text)  # presentation_detail
    parent_structure: Mapped[str | None] = mapped_column(String(250))
    other_labels: Mapped[list] = mapped_column(JSON, default=list)
    # The ids of the network's own labels (NetworkLabel) the place carries, in the order ticked.
    network_labels: Mapped[list] = mapped_column(JSON, default=list)

    services: Mapped[list] = mapped_column(JSON, default=list)
    publics: Mapped[list] = mapped_column(JSON, default=list)
    specific_support: Mapped[list] = mapped_column(JSON, default=list)
    fees: Mapped[list] = mapped_column(JSON, default=list)
    # The condition behind « Gratuit sous condition », or the prices (issue 18). The standard 1.0.1
    # has no column for it: shown on the place page, not in the open-data files.
    fee_details: Mapped[str | None] = mapped_column(String(300))
    programmes: Mapped[list] = mapped_column(JSON, default=list)
    labels: Mapped[list] = mapped_column(JSON, default=list)
    access_modes: Mapped[list] = mapped_column(JSON, default=list)
    support_modes: Mapped[list] = mapped_column(JSON, default=list)
    itinerance: Mapped[list] = mapped_column(JSON, default=list)
    typology: Mapped[list] = mapped_column(JSON, default=list)

    published: Mapped[bool] = mapped_column(default=True, index=True)
    # Partners may refer residents here (how: the standard's access modes, e.g. a prescription form).
    accepts_referrals: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # date_maj
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)  # last confirmed by its partner
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)  # kept so the public id is never reused
    # Not confirmed for FRESHNESS_STALE_MONTHS: shown to coordinators; cleared by a confirmation.
    stale_since: Mapped[datetime | None] = mapped_column(index=True)
    # Any write to the row (edit, publication, deletion, coordinates) or to its organisation's status
    # moves it: the open-data change feed reads places by this column.
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()
    closures: Mapped[list["PlaceClosure"]] = relationship(
        back_populates="place", cascade="all, delete-orphan", order_by="PlaceClosure.starts_on")

    # Optimistic locking: an UPDATE that finds another version raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once

    @property
    def is_public(self) -> bool:
        return self.published and self.deleted_at is None and self.organisation.is_active


class PlaceClosure(db.Model):
    """A temporary closure (opening_hours is None) or exceptional hours, from starts_on to ends_on
    inclusive; it overrides the regular hours in "open now" and on the place page (the open-data files
    carry the regular hours only: the national standard has no field for closures)."""
    __tablename__ = "place_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    opening_hours: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(String(280))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    place: Mapped[Place] = relationship(back_populates="closures")


class NetworkLabel(db.Model):
    """A label of the network itself (« Accepte le Pass numérique », a local charter), defined by
    its coordinators and ticked by partners on their places. Never deleted once a place carries it:
    a label the network no longer awards is deactivated (places keep it until edited, the public
    no longer sees it). Published in open data among the place's ``autres_formations_labels``."""
    __tablename__ = "network_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable: the search's URL parameter carries it (shared and bookmarked links); never changed.
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SearchIndexQueue(db.Model):
    """Place ids changed since the index was last written; only the scheduler process consumes it."""
    __tablename__ = "search_index_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(index=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


def this_hour() -> datetime:
    """Search log times are kept to the hour: precise times could tie a search to other records."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


class SearchLog(db.Model):
    """One row per search: the words searched (search.log_words: no email, phone number or long
    number), facets, resolved commune and result count, to the hour. Nothing personal (no IP, no
    user agent, no user); purged after SEARCH_LOG_RETENTION_DAYS."""
    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=this_hour, index=True)
    words: Mapped[str] = mapped_column(String(200), default="")
    facets: Mapped[dict] = mapped_column(JSON, default=dict)
    commune: Mapped[str | None] = mapped_column(String(150))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    radius_km: Mapped[float | None]
    results_count: Mapped[int] = mapped_column(default=0)


class GeocodeCache(db.Model):
    """Answers of the geocoder, by normalised query (negative answers too, with found=False)."""
    __tablename__ = "geocode_cache"
    __table_args__ = (UniqueConstraint("query", name="uq_geocode_cache_query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(300))
    found: Mapped[bool] = mapped_column(default=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    label: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(5))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    commune: Mapped[str | None] = mapped_column(String(150))
    kind: Mapped[str | None] = mapped_column(String(20))  # housenumber | street | municipality | locality
    score: Mapped[float | None]
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
