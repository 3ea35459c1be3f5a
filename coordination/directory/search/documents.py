"""What is indexed: the schema, and the document of a place (see the package's docstring)."""
from __future__ import annotations

from collections.abc import Iterable

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from coordination.directory.search.analysis import folded_analyzer, french_analyzer
from coordination.vocabularies import PLACE_VOCABULARIES, TYPOLOGIES

# The network's own labels (``NetworkLabel``): a facet whose values are label ids, the id being the
# value's bit in the mask (labels are never deleted, so an id keeps its meaning; new labels need no
# rebuild). Their names are read from the database when shown.
NETWORK_LABELS = "network_labels"
FACETS = (*PLACE_VOCABULARIES, NETWORK_LABELS)  # the order of the masks kept in memory


# --- schema and documents ------------------------------------------------------------------

def _schema() -> Schema:
    french = french_analyzer()
    fields = dict(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=french, phrase=False, field_boost=4.0),
        place=TEXT(analyzer=french, phrase=False, field_boost=2.0),
        body=TEXT(analyzer=french, phrase=False),
        words=TEXT(analyzer=folded_analyzer(), phrase=False, field_boost=0.5),
        lat=STORED, lon=STORED, masks=STORED,
    )
    for key in FACETS:
        fields[f"f_{key}"] = KEYWORD(lowercase=False, scorable=False)
    return Schema(**fields)


SCHEMA = _schema()
TEXT_FIELDS = ("name", "place", "body")
_VALUE_INDEX = {key: {value: i for i, value in enumerate(values)}
                for key, (values, _label, _column) in PLACE_VOCABULARIES.items()}
VOCABULARY_VALUES = {key: tuple(values) for key, (values, _label, _column) in PLACE_VOCABULARIES.items()}




def facet_mask(key: str, values: Iterable) -> int:
    if key == NETWORK_LABELS:
        return sum(1 << label_id for label_id in set(values or ()) if isinstance(label_id, int) and label_id >= 0)
    index = _VALUE_INDEX[key]
    mask = 0
    for value in values or ():
        if value in index:
            mask |= 1 << index[value]
    return mask


def document(place) -> dict:
    """The index document of a place (its organisation loaded)."""
    vocabularies = {key: list(getattr(place, key) or ()) for key in FACETS}
    labels = [TYPOLOGIES.get(code, code) for code in vocabularies["typology"]]
    body = [place.summary, place.description, place.parent_structure, place.organisation.name,
            *(place.other_labels or ()), *labels]
    body.extend(value for key in PLACE_VOCABULARIES if key != "typology" for value in vocabularies[key])
    body_text = "\n".join(part for part in body if part)
    place_text = " ".join(part for part in (place.commune, place.postcode, place.address,
                                            place.address_complement) if part)
    doc = dict(
        id=str(place.id), name=place.name, place=place_text, body=body_text,
        words="\n".join((place.name, place_text, body_text)),
        lat=place.latitude, lon=place.longitude,
        masks=tuple(facet_mask(key, vocabularies[key]) for key in FACETS),
    )
    for key in PLACE_VOCABULARIES:
        positions = sorted(_VALUE_INDEX[key][v] for v in vocabularies[key] if v in _VALUE_INDEX[key])
        if positions:
            doc[f"f_{key}"] = " ".join(str(p) for p in positions)
    return doc
