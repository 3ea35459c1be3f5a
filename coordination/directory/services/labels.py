"""The network's own labels (« Accepte le Pass numérique », a local charter): coordinators define
them, partners tick them on their places (through ``places``' write path), residents filter the
search by them and find them on place pages and in open data (``autres_formations_labels``).

A label is never deleted: places carry its id, the search index and shared search links its code.
A label the network no longer awards is deactivated: the public no longer sees it (search, place
page, open data), partners can no longer tick it, and a place that has it keeps it until its
partner unticks it (the place form shows it as deactivated).
"""
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import String, cast, select

from coordination import audit
from coordination.core import validators
from coordination.directory import permissions
from coordination.core.clock import utcnow
from coordination.directory.models import NetworkLabel, Place
from coordination.directory.services import writes
from coordination.errors import Invalid, NotFound, PermissionDenied
from coordination.extensions import db

LABEL_NOT_FOUND = lazy_gettext("Ce label n'existe pas.")
NAME_MAX = 120
DESCRIPTION_MAX = 1000
CODE_MAX = 60


@dataclass(frozen=True, slots=True)
class LabelChoice:
    """A label as the place form, the search and the place page show it."""
    id: int
    code: str
    name: str
    description: str | None
    active: bool


def _choice(label: NetworkLabel) -> LabelChoice:
    return LabelChoice(label.id, label.code, label.name, label.description, label.active)


def _require(actor) -> None:
    if not permissions.can_manage_labels(actor):
        raise PermissionDenied()


def code_of(name: str) -> str:
    """« Accepte le Pass numérique » -> ``accepte-le-pass-numerique``: what the search's URL carries."""
    ascii_text = unicodedata.normalize("NFKD", name.replace("’", "'")).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())[:CODE_MAX].strip("-")


# --- reading ---------------------------------------------------------------------------------

def all_labels(*, actor) -> list[NetworkLabel]:
    """Every label, active ones first, for the coordination's page."""
    _require(actor)
    return db.session.scalars(select(NetworkLabel).order_by(NetworkLabel.active.desc(), NetworkLabel.name)).all()


def get_label_for_edit(label_id: int, *, actor) -> NetworkLabel:
    _require(actor)
    label = db.session.get(NetworkLabel, label_id)
    if label is None:
        raise NotFound(LABEL_NOT_FOUND)
    return label


def active_labels() -> list[LabelChoice]:
    """The labels partners may tick and residents filter by, by name."""
    return [_choice(label) for label in db.session.scalars(
        select(NetworkLabel).where(NetworkLabel.active.is_(True)).order_by(NetworkLabel.name))]


def labels_for_place_form(place=None) -> list[LabelChoice]:
    """The choices of a place's form: the active labels, and the deactivated ones the place still
    carries (it keeps them until its partner unticks them)."""
    kept = set(place.network_labels or ()) if place is not None else set()
    return [_choice(label) for label in db.session.scalars(
        select(NetworkLabel).where(NetworkLabel.active.is_(True) | NetworkLabel.id.in_(kept))
        .order_by(NetworkLabel.name))]


def public_labels_of(place) -> list[LabelChoice]:
    """The active labels a place carries, in the order its partner ticked them (its public page)."""
    ids = list(place.network_labels or ())
    if not ids:
        return []
    found = {label.id: label for label in db.session.scalars(
        select(NetworkLabel).where(NetworkLabel.id.in_(ids), NetworkLabel.active.is_(True)))}
    return [_choice(found[label_id]) for label_id in ids if label_id in found]


def active_label_names() -> dict[int, str]:
    """Active label id -> name: what open data publishes among ``autres_formations_labels``."""
    return dict(db.session.execute(select(NetworkLabel.id, NetworkLabel.name).where(NetworkLabel.active.is_(True))).all())


def _carriers() -> dict[int, list[int]]:
    """Label id -> the ids of the (non-deleted) places carrying it. Few places carry labels: the
    lists are read and matched here, the same on SQLite and PostgreSQL."""
    carriers: dict[int, list[int]] = {}
    rows = db.session.execute(select(Place.id, Place.network_labels).where(
        Place.deleted_at.is_(None), cast(Place.network_labels, String) != "[]"))
    for place_id, ids in rows:
        for label_id in ids or ():
            carriers.setdefault(label_id, []).append(place_id)
    return carriers


def label_usage(*, actor) -> dict[int, int]:
    """Label id -> how many places carry it (the coordination's list)."""
    _require(actor)
    return {label_id: len(places) for label_id, places in _carriers().items()}


def label_names(ids) -> list[str]:
    """The names of these labels, active or not, in the given order (a conflict's table)."""
    ids = list(ids or ())
    names = dict(db.session.execute(select(NetworkLabel.id, NetworkLabel.name).where(NetworkLabel.id.in_(ids))).all())
    return [names[label_id] for label_id in ids if label_id in names]


def check_place_labels(ids: list[int], before: list[int] | None) -> None:
    """A place's new labels: active ones, or deactivated ones it already carried. Raises Invalid."""
    if not ids:
        return
    active = set(db.session.scalars(select(NetworkLabel.id).where(NetworkLabel.id.in_(ids),
                                                                  NetworkLabel.active.is_(True))))
    refused = [label_id for label_id in ids if label_id not in active and label_id not in (before or ())]
    if refused:
        raise Invalid(_("Certaines informations du lieu ne sont pas valables."), errors={"network_labels": [
            _("Ce label n'est pas proposé par le réseau : décochez-le.")]})


# --- writing (coordinators) -----------------------------------------------------------------------

def _cleaned(data: dict, label: NetworkLabel | None) -> dict:
    errors: dict[str, list[str]] = {}
    values = {}
    for name, clean, options in (("name", validators.one_line, {"max_length": NAME_MAX}),
                                 ("description", validators.text, {"max_length": DESCRIPTION_MAX})):
        try:
            values[name] = clean(data.get(name), **options)
        except validators.FieldError as error:
            errors[name] = [str(error)]
    if "name" not in errors and not values["name"]:
        errors["name"] = [_("Ce champ est obligatoire.")]
    elif "name" not in errors:
        same = db.session.scalar(select(NetworkLabel).where(NetworkLabel.name == values["name"]))
        if same is not None and same is not label:
            errors["name"] = [_("Un label du réseau porte déjà ce nom.")]
        elif label is None and not code_of(values["name"]):
            errors["name"] = [_("Le nom doit contenir au moins une lettre ou un chiffre.")]
    if errors:
        raise Invalid(_("Le label n'a pas été enregistré."), errors=errors)
    return values


def _free_code(name: str) -> str:
    base = code_of(name)
    taken = set(db.session.scalars(select(NetworkLabel.code).where(NetworkLabel.code.startswith(base))))
    code, number = base, 2
    while code in taken:
        suffix = f"-{number}"
        code, number = base[:CODE_MAX - len(suffix)] + suffix, number + 1
    return code


def create_label(data: dict, *, actor) -> NetworkLabel:
    """A new, active label; its code (the search's URL parameter) comes from its name, once."""
    _require(actor)
    values = _cleaned(data, None)
    label = NetworkLabel(code=_free_code(values["name"]), **values)
    db.session.add(label)
    db.session.flush()
    audit.record(actor, "network_label.create", "network_label", label.id, code=label.code, name=label.name)
    db.session.commit()
    return label


def update_label(label_id: int, data: dict, *, actor) -> NetworkLabel:
    """A new name or description; the code stays (shared search links keep working). Places carry
    the label's id: they show the new name, and the search index needs no change."""
    label = get_label_for_edit(label_id, actor=actor)
    values = _cleaned(data, label)
    changed = sorted(name for name, value in values.items() if getattr(label, name) != value)
    if not changed:
        return label
    for name in changed:
        setattr(label, name, values[name])
    audit.record(actor, "network_label.update", "network_label", label.id, fields=changed)
    _commit_with_carriers(label)
    return label


def set_label_active(label_id: int, active: bool, *, actor) -> NetworkLabel:
    """Deactivates (or reactivates) a label; there is no deletion: places carry it."""
    label = get_label_for_edit(label_id, actor=actor)
    if label.active == active:
        return label
    label.active = active
    audit.record(actor, "network_label.activate" if active else "network_label.deactivate", "network_label",
                 label.id)
    _commit_with_carriers(label)
    return label


def _commit_with_carriers(label: NetworkLabel) -> None:
    """The places carrying the label publish something else now (its name in open data, or no longer
    the label): the change feed must list them again. Not a content edit: their version stays."""
    place_ids = _carriers().get(label.id, [])
    if place_ids:
        writes.set_state(place_ids, utcnow())
    writes.commit(place_ids)
