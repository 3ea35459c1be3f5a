import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.auth.models import Organisation
from coordination.clock import utcnow
from coordination.extensions import db


def new_public_id() -> str:
    return str(uuid.uuid4())


class Place(db.Model):
    """A place (lieu) where residents get help; columns follow the national standard
    "Lieux de médiation numérique" 1.0.1. Multi-valued vocabularies are JSON lists of exact values."""
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)

    name: Mapped[str] = mapped_column(String(250))
    address: Mapped[str] = mapped_column(String(250))
    address_complement: Mapped[str | None] = mapped_column(String(250))
    postcode: Mapped[str] = mapped_column(String(5))
    commune: Mapped[str] = mapped_column(String(150))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    coordinates_source: Mapped[str | None] = mapped_column(String(20))  # geocoder | manual | import

    opening_hours: Mapped[str | None] = mapped_column(Text)  # OSM opening_hours syntax
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    emails: Mapped[list] = mapped_column(JSON, default=list)
    website: Mapped[str | None] = mapped_column(String(500))
    appointment_url: Mapped[str | None] = mapped_column(String(500))  # prise_rdv
    accessibility_url: Mapped[str | None] = mapped_column(String(500))  # fiche_acces_libre
    summary: Mapped[str | None] = mapped_column(String(280))  # presentation_resume
    description: Mapped[str | None] = mapped_column(Text)  # presentation_detail
    parent_structure: Mapped[str | None] = mapped_column(String(250))
    other_labels: Mapped[list] = mapped_column(JSON, default=list)

    services: Mapped[list] = mapped_column(JSON, default=list)
    publics: Mapped[list] = mapped_column(JSON, default=list)
    specific_support: Mapped[list] = mapped_column(JSON, default=list)
    fees: Mapped[list] = mapped_column(JSON, default=list)
    programmes: Mapped[list] = mapped_column(JSON, default=list)
    labels: Mapped[list] = mapped_column(JSON, default=list)
    access_modes: Mapped[list] = mapped_column(JSON, default=list)
    support_modes: Mapped[list] = mapped_column(JSON, default=list)
    itinerance: Mapped[list] = mapped_column(JSON, default=list)
    typology: Mapped[list] = mapped_column(JSON, default=list)

    published: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # date_maj
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)  # last confirmed by its partner
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)  # kept so the public id is never reused
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()

    # Optimistic locking: an UPDATE that finds another version raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once

    @property
    def is_public(self) -> bool:
        return self.published and self.deleted_at is None and self.organisation.is_active
