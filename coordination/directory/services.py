"""Directory use cases: places and their listings."""
from sqlalchemy import select

from coordination.auth.models import Organisation
from coordination.directory.models import Place
from coordination.extensions import db


def published_places(limit: int = 50) -> list[Place]:
    return db.session.scalars(
        select(Place).join(Organisation)
        .where(Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active")
        .order_by(Place.name).limit(limit)
    ).all()
