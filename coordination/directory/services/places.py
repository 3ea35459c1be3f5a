"""Places: reading them for their pages and editors, and the use cases that write a listing.

Each write is one use case that owns its transaction: load, check permissions, validate, write
through ``writes`` (the one write path of a place, shared with the import and the demo seed),
record the audit record, commit, return. Validation errors are ``Invalid(errors={field: [French
message]})``.

``Place.version`` counts *content* versions (optimistic locking, see ``update_place``). Publishing,
unpublishing and "still accurate" confirmations are not content edits: they leave the version
alone, so that a coordinator unpublishing a place does not make a partner's edit in progress fail
with a conflict.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from coordination import audit
from coordination.auth import permissions as auth_permissions
from coordination.auth.models import Organisation, User
from coordination.core import paging
from coordination.core.clock import utcnow
from coordination.directory import hours, permissions, validation
from coordination.directory.models import Place
from coordination.directory.services import labels, writes
from coordination.errors import Conflict, Invalid, NotFound, PermissionDenied
from coordination.extensions import db
from coordination.vocabularies import TYPOLOGIES

PLACE_NOT_FOUND = lazy_gettext("Ce lieu n'existe pas ou a été supprimé.")
CONFLICT_MESSAGE = lazy_gettext("Cette fiche a été modifiée par quelqu'un d'autre pendant que vous la modifiiez.")
STATUS_MESSAGES = {
    "pending": lazy_gettext("Votre organisation est en attente de validation par la coordination : vous pourrez "
               "ajouter et modifier des lieux dès qu'elle sera validée."),
    "refused": lazy_gettext("L'inscription de votre organisation n'a pas été acceptée : elle ne peut pas publier de lieux."),
    "suspended": lazy_gettext("Votre organisation est suspendue : ses lieux ne peuvent pas être modifiés. "
                 "Contactez la coordination du réseau."),
}


# --- reading -------------------------------------------------------------------------------

def published_places(limit: int = 50) -> list[Place]:
    return db.session.scalars(
        select(Place).join(Organisation)
        .where(Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active")
        .order_by(Place.name).limit(limit)
    ).all()


def recently_updated_places(limit: int = 6) -> list[Place]:
    """The public places (published, not deleted, organisation active) last updated first: the home
    page's short list."""
    return db.session.scalars(
        select(Place).join(Organisation)
        .where(Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active")
        .order_by(Place.updated_at.desc(), Place.id.desc()).limit(limit)
    ).all()


def _load_place(place_id: int) -> Place:
    place = db.session.get(Place, place_id)
    if place is None or place.deleted_at is not None:
        raise NotFound(PLACE_NOT_FOUND)
    return place


def _denied(actor, organisation: Organisation) -> PermissionDenied:
    """The refusal, with the reason when the actor belongs to an organisation that is not active."""
    if auth_permissions.is_member(actor, organisation) and not organisation.is_active:
        return PermissionDenied(STATUS_MESSAGES.get(organisation.status))
    return PermissionDenied()


def get_place_for_edit(place_id: int, *, actor) -> Place:
    place = _load_place(place_id)
    if not permissions.can_edit_place(actor, place):
        raise _denied(actor, place.organisation)
    return place


def get_public_place(public_id: str, *, actor) -> Place:
    """The place behind a public page: published places of active organisations, or any
    non-deleted place for those who can edit it."""
    place = db.session.scalar(select(Place).where(Place.public_id == public_id))
    if place is None or not permissions.can_view_place(actor, place):
        raise NotFound(_("Cette fiche n'existe pas ou n'est plus publiée."))
    return place


def get_organisation_for_new_place(organisation_id: int, *, actor) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("Cette organisation n'existe pas."))
    if not permissions.can_create_place(actor, organisation):
        raise _denied(actor, organisation)
    return organisation


@dataclass
class OrganisationListings:
    """One organisation of the partner space, with what the actor may do there."""
    organisation: Organisation
    role: str
    places: list[Place] = field(default_factory=list)
    can_add_places: bool = False
    can_manage_members: bool = False
    status_message: str | None = None


def partner_dashboard(*, actor: User) -> list[OrganisationListings]:
    """The actor's organisations, each with its places (deleted ones left out)."""
    memberships = sorted(actor.memberships, key=lambda m: m.organisation.name.lower())
    places = db.session.scalars(
        select(Place).where(Place.organisation_id.in_([m.organisation_id for m in memberships]),
                            Place.deleted_at.is_(None))
        .order_by(Place.name)
    ).all()
    entries = []
    for membership in memberships:
        organisation = membership.organisation
        entries.append(OrganisationListings(
            organisation=organisation,
            role=membership.role,
            places=[p for p in places if p.organisation_id == organisation.id],
            can_add_places=permissions.can_create_place(actor, organisation),
            can_manage_members=permissions.can_manage_members(actor, organisation),
            status_message=STATUS_MESSAGES.get(organisation.status),
        ))
    return entries


NETWORK_PLACES_SORTS = {
    "nom": (func.lower(Place.name),),
    "commune": (func.lower(Place.commune), func.lower(Place.name)),
    "organisation": (func.lower(Organisation.name), func.lower(Place.name)),
    "maj": (Place.updated_at,),
    "verification": (Place.verified_at,),
}


def network_places(*, actor, organisation_id: int | None = None, published: bool | None = None, query: str = "",
                   sort: str | None = None, descending: bool = False, page: int = 1,
                   size: int = paging.PAGE_SIZE) -> paging.Page:
    """One page of the network's non-deleted places, for coordinators: ``query`` in the name or the
    commune, optionally one organisation's or only (un)published ones, sorted by one of
    ``NETWORK_PLACES_SORTS`` (by organisation, then name, unless said otherwise)."""
    if not permissions.can_moderate(actor):
        raise PermissionDenied()
    sort = paging.sort_key(sort, NETWORK_PLACES_SORTS, "organisation")
    statement = (select(Place).join(Organisation).where(Place.deleted_at.is_(None))
                 .options(selectinload(Place.organisation)))
    if organisation_id is not None:
        statement = statement.where(Place.organisation_id == organisation_id)
    if published is not None:
        statement = statement.where(Place.published.is_(published))
    if query:
        statement = statement.where(or_(Place.name.icontains(query, autoescape=True),
                                        Place.commune.icontains(query, autoescape=True),
                                        Place.postcode.startswith(query, autoescape=True)))
    columns = [column.desc() if descending else column for column in NETWORK_PLACES_SORTS[sort]]
    statement = statement.order_by(*columns, Place.id)
    return paging.paginate(db.session, statement, number=page, size=size, sort=sort, descending=descending)


def organisations_with_places(*, actor) -> list[Organisation]:
    """The organisations offered by the coordination's filter."""
    if not permissions.can_moderate(actor):
        raise PermissionDenied()
    return db.session.scalars(
        select(Organisation).where(Organisation.id.in_(select(Place.organisation_id).where(Place.deleted_at.is_(None))))
        .order_by(Organisation.name)
    ).all()


# --- writing: through writes.py, the one write path of a place's listing ------------------------

def create_place(organisation_id: int, data: dict, *, actor) -> Place:
    organisation = get_organisation_for_new_place(organisation_id, actor=actor)
    cleaned = validation.clean_place(data)
    labels.check_place_labels(cleaned.get("network_labels", []), None)
    [place_id] = writes.insert_places([writes.new_place(cleaned, organisation_id=organisation.id, now=utcnow(),
                                                        source="manual")])
    place = db.session.get(Place, place_id)
    audit.record(actor, "place.create", "place", place.id, organisation_id=organisation.id,
                 public_id=place.public_id)
    writes.commit([place.id])
    return place


def _differences(place: Place, cleaned: dict) -> list[str]:
    return [name for name, value in cleaned.items() if getattr(place, name) != value]


def _display(name: str, value) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if name == "opening_hours":
        return " ; ".join(hours.describe_lines(value)) or value
    if name == "typology":
        return ", ".join(TYPOLOGIES.get(code, code) for code in value)
    if name == "network_labels":
        return ", ".join(labels.label_names(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _conflict(place: Place, cleaned: dict) -> Conflict:
    changes = [(validation.LABELS[name], _display(name, cleaned[name]), _display(name, getattr(place, name)))
               for name in _differences(place, cleaned) if name != "coordinates_source"]
    return Conflict(CONFLICT_MESSAGE, changes=changes, current_version=place.version)


def update_place(place_id: int, data: dict, *, actor, expected_version: int | None) -> Place:
    """Saves a place's listing. ``expected_version`` is the version the person started from: if the
    place changed meanwhile, nothing is saved and Conflict lists the fields where what they submitted
    differs from what is stored now. ``None`` skips the check (CLI)."""
    place = get_place_for_edit(place_id, actor=actor)
    if "published" in data:
        raise Invalid(errors={"published": [_("La publication se change avec set_published.")]})
    cleaned = validation.clean_place(data, partial=True)
    if "network_labels" in cleaned:
        labels.check_place_labels(cleaned["network_labels"], place.network_labels)
    changed = _differences(place, cleaned)
    if not changed:
        return place
    if expected_version is not None and expected_version != place.version:
        raise _conflict(place, cleaned)
    now = utcnow()
    columns = writes.located({name: cleaned[name] for name in changed}, place, source="manual")
    columns["updated_at"] = now
    if auth_permissions.is_member(actor, place.organisation):
        columns["verified_at"] = now  # its partner just reviewed it
    try:
        writes.update_places([writes.PlaceUpdate(place.id, place.version, columns)], now)
    except writes.VersionChanged:  # another transaction committed a new version after we loaded it
        db.session.rollback()
        raise _conflict(_load_place(place_id), cleaned) from None
    audit.record(actor, "place.update", "place", place.id, fields=sorted(changed))
    writes.commit([place.id])
    return place


def _set_state(place: Place, action: str, *, actor, **values) -> Place:
    """Publication or confirmation: recorded, the content version left alone (writes.set_state)."""
    writes.set_state([place.id], utcnow(), **values)
    audit.record(actor, action, "place", place.id)
    writes.commit([place.id])
    return place


def set_published(place_id: int, published: bool, *, actor) -> Place:
    place = get_place_for_edit(place_id, actor=actor)
    if place.published == published:
        return place
    return _set_state(place, "place.publish" if published else "place.unpublish", actor=actor, published=published)


PUBLICATION_ACTIONS = {"publier": True, "retirer": False}


def change_places_publication(place_ids: list[int], *, action: str, actor) -> int:
    """The coordination places list's action bar (issue 18): publishes (``publier``) or withdraws
    (``retirer``) the places ticked, each through ``set_published`` (its permission check, audit record
    and commit). Places already in that state, deleted or not the actor's to change are left alone.
    Returns how many changed."""
    if not permissions.can_moderate(actor):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    if action not in PUBLICATION_ACTIONS:
        errors["action"] = [_("Choisissez de publier ou de retirer de l'annuaire.")]
    if not place_ids:
        errors["ids"] = [_("Cochez au moins un lieu dans la liste.")]
    if errors:
        raise Invalid(_("Rien n'a été modifié : corrigez le formulaire."), errors=errors)
    published, changed = PUBLICATION_ACTIONS[action], 0
    for place_id in sorted(set(place_ids)):
        try:
            place = get_place_for_edit(place_id, actor=actor)
        except (NotFound, PermissionDenied):
            continue
        if place.published != published:
            set_published(place.id, published, actor=actor)
            changed += 1
    return changed


def confirm_place_accurate(place_id: int, *, actor) -> Place:
    """"Ces informations sont toujours exactes": the partner vouches for the listing today."""
    place = _load_place(place_id)
    if not permissions.can_confirm_place(actor, place):
        raise _denied(actor, place.organisation)
    return _set_state(place, "place.confirm", actor=actor, verified_at=utcnow(), stale_since=None)


def delete_place(place_id: int, *, actor) -> Place:
    """Soft delete: the row stays (its public id is never given to another place), unpublished."""
    place = _load_place(place_id)
    if not permissions.can_delete_place(actor, place):
        raise _denied(actor, place.organisation)
    now = utcnow()
    writes.update_places([writes.PlaceUpdate(place.id, None, {"deleted_at": now, "published": False})], now)
    audit.record(actor, "place.delete", "place", place.id, public_id=place.public_id)
    writes.commit([place.id])
    return place
