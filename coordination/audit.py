"""Audit trail: who did what to which object, when. Never holds personal data of residents."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from coordination.core.clock import utcnow
from coordination.extensions import db


class AuditRecord(db.Model):
    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def record(actor, action: str, obj_type: str, obj_id, **details) -> AuditRecord:
    """Adds an audit record to the current transaction; the calling service commits."""
    audit_record = AuditRecord(actor_id=getattr(actor, "id", None), action=action, object_type=obj_type,
                               object_id=str(obj_id), details=details)
    db.session.add(audit_record)
    return audit_record
