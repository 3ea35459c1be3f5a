"""The standard 1.0.1 record of a place: what the schema does not check, the serializer guarantees."""
import re
from datetime import datetime

import pytest

from coordination.directory import serializers
from coordination.testing.factories import make_organisation, make_place
from coordination.vocabularies import PLACE_VOCABULARIES

SOURCE = "Réseau test"


@pytest.fixture
def malakoff(db):
    return make_organisation("Centre social Malakoff", kind="centre_social", pivot="73282932000074")


def record(place):
    return serializers.standard_record(place, source=SOURCE)


def test_every_column_in_schema_order(malakoff):
    result = record(make_place(malakoff))
    assert tuple(result) == (*serializers.STANDARD_FIELDS, "id_source")  # then the extra column (issue 15)
    assert len(result) == 33


def test_identity_and_required_columns(malakoff):
    place = make_place(malakoff, name="Espace Malakoff", address="1 rue d'Angleterre", postcode="44000",
                       commune="Nantes", updated_at=datetime(2026, 3, 1, 10), verified_at=datetime(2026, 2, 1))
    result = record(place)
    assert result["id"] == place.public_id
    assert result["pivot"] == "73282932000074"
    assert (result["nom"], result["adresse"], result["code_postal"], result["commune"]) == (
        "Espace Malakoff", "1 rue d'Angleterre", "44000", "Nantes")
    assert result["source"] == SOURCE
    assert result["date_maj"] == "2026-03-01"


def test_date_maj_follows_a_later_confirmation_in_paris_time(malakoff):
    # Confirmed on 31 March at 23:30 in Paris (21:30 UTC): the listing is up to date on that day.
    place = make_place(malakoff, updated_at=datetime(2025, 12, 1), verified_at=datetime(2026, 3, 31, 21, 30))
    assert record(place)["date_maj"] == "2026-03-31"
    place = make_place(malakoff, updated_at=datetime(2025, 12, 1), verified_at=datetime(2026, 3, 31, 22, 30))
    assert record(place)["date_maj"] == "2026-04-01"


def test_lists_are_exact_vocabulary_values_joined_by_a_bar(malakoff):
    place = make_place(malakoff, services=["Loisirs et créations numériques", "Aide aux démarches administratives"],
                       access_modes=["Ce lieu n'accueille pas de public", "Not a value"],
                       emails=["a@exemple.fr", "b@exemple.fr"], other_labels=["Label local", "Autre label"])
    result = record(place)
    # The standard's order, no spaces around the bar, unknown values dropped.
    assert result["services"] == "Aide aux démarches administratives|Loisirs et créations numériques"
    assert result["modalites_acces"] == "Ce lieu n'accueille pas de public"
    assert result["courriels"] == "a@exemple.fr|b@exemple.fr"
    assert result["autres_formations_labels"] == "Label local|Autre label"
    for name, (values, _label, column) in PLACE_VOCABULARIES.items():
        for value in serializers.split(result[column]):
            assert value in values, (name, value)


def test_typology_comes_from_the_place_or_the_organisation_kind(malakoff):
    assert record(make_place(malakoff))["typologie"] == "CS"
    assert record(make_place(malakoff, typology=["EPN", "MJC"]))["typologie"] == "EPN|MJC"
    assert record(make_place(malakoff, typology=["not-a-code"]))["typologie"] == "CS"


def test_summary_longer_than_280_is_cut_at_a_word_and_kept_whole_in_the_detail(malakoff, db):
    long = ("Nous accompagnons les habitants dans leurs démarches en ligne " * 6).strip()
    place = make_place(malakoff, summary=long[:280], description="Détail.")
    with db.session.no_autoflush:
        place.summary = long  # a text longer than the column allows, as another producer may send
        result = record(place)
    db.session.rollback()
    assert len(result["presentation_resume"]) <= 280
    assert result["presentation_resume"].endswith("…")
    assert long.startswith(result["presentation_resume"][:-1])
    assert not result["presentation_resume"][:-1].endswith(" ")
    assert result["presentation_detail"].startswith(long)
    assert result["presentation_detail"].endswith("Détail.")


def test_short_summary_untouched(malakoff):
    result = record(make_place(malakoff, summary="Aide au numérique.", description=None))
    assert result["presentation_resume"] == "Aide au numérique."
    assert result["presentation_detail"] is None


def test_phone_hours_and_coordinates(malakoff):
    result = record(make_place(malakoff, phone="+262262123456", opening_hours="Mo-Fr 09:00-12:00",
                               latitude=-20.8789123456, longitude=55.4481))
    assert result["telephone"] == "+262262123456"
    assert result["horaires"] == "Mo-Fr 09:00-12:00"
    assert result["latitude"] == -20.878912
    place = make_place(malakoff, phone="+41221234567", opening_hours="n'importe quoi", latitude=None,
                       longitude=None)
    result = record(place)
    assert result["telephone"] is None  # the standard only knows French numbers
    assert result["horaires"] is None  # never an invalid OSM string
    assert result["latitude"] is None and result["longitude"] is None


def test_patterns_of_the_schema_hold(malakoff):
    result = record(make_place(malakoff, insee_code="2A004", postcode="20000", commune="Ajaccio",
                               itinerance=["Fixe"]))
    assert re.fullmatch(r"([013-9]\d|2[AB1-9])\d{3}", result["code_insee"])
    assert re.fullmatch(r"\d{5}", result["code_postal"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", result["date_maj"])
    assert result["itinerance"] == "Fixe"


@pytest.mark.parametrize(("text", "expected"), [
    ("court", "court"),
    ("", None),
    ("mot " * 100, ("mot " * 70).strip() + "…"),
])
def test_cut_at_word(text, expected):
    result = serializers.cut_at_word(text)
    assert result == expected
    if result:
        assert len(result) <= 280


def test_csv_value():
    assert serializers.csv_value(None) == ""
    assert serializers.csv_value(47.2) == "47.2"
    assert serializers.csv_value("a|b") == "a|b"
