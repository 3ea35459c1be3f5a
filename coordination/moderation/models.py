"""The moderation domain's table: residents' error reports on listings."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.core.clock import utcnow
from coordination.directory.models import Place
from coordination.extensions import db


class PlaceReport(db.Model):
    """"Signaler une erreur": what a resident says is wrong with a listing. Nothing about the
    person who reported it is kept."""
    __tablename__ = "place_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # closed | hours | address | other
    message: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)  # open | resolved | dismissed
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(String(1000))

    place: Mapped[Place] = relationship()
