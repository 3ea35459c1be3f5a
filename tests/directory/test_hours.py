"""Opening hours: the weekday editor <-> OSM opening_hours, validation and French descriptions."""
import opening_hours
import pytest

from coordination.directory import hours
from tests.french import plain as plain_french

NBSP = "\u00a0"


def week(**days):
    result = hours.empty_week()
    result.update(days)
    return result


def plain(text):
    return text.replace(NBSP, " ")


MORNING, AFTERNOON = ("09:00", "12:00"), ("14:00", "17:30")


@pytest.mark.parametrize("value, expected", [
    (week(), ""),
    (week(Mo=[MORNING]), "Mo 09:00-12:00"),
    (week(Mo=[MORNING, AFTERNOON], Tu=[MORNING, AFTERNOON], We=[MORNING, AFTERNOON], Th=[MORNING, AFTERNOON],
          Fr=[MORNING, AFTERNOON], Sa=[MORNING]),
     "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00"),
    (week(Mo=[MORNING], We=[MORNING], Fr=[MORNING]), "Mo,We,Fr 09:00-12:00"),
    (week(Mo=[MORNING], Tu=[MORNING], Th=[MORNING]), "Mo-Tu,Th 09:00-12:00"),
    (week(Tu=[("10:00", "18:00")], Sa=[("10:00", "18:00")], Su=[("10:00", "18:00")]), "Tu,Sa-Su 10:00-18:00"),
    ({d: [("08:30", "19:00")] for d in hours.DAYS}, "Mo-Su 08:30-19:00"),
    (week(Mo=[("9:00", "12:00")]), "Mo 09:00-12:00"),
])
def test_to_osm_groups_days_with_identical_ranges(value, expected):
    assert hours.to_osm(value) == expected
    if expected:
        opening_hours.OpeningHours(expected)  # what we write is valid OSM


WEEKS = [
    week(),
    week(Mo=[MORNING]),
    week(Mo=[MORNING, AFTERNOON], Tu=[MORNING, AFTERNOON], We=[MORNING], Th=[MORNING, AFTERNOON],
         Fr=[MORNING, AFTERNOON], Sa=[("10:00", "12:30")]),
    week(Mo=[MORNING], We=[MORNING], Fr=[MORNING], Tu=[AFTERNOON], Th=[AFTERNOON]),
    week(Su=[("00:00", "23:59")]),
    {d: [("08:00", "12:00"), ("13:00", "20:00")] for d in hours.DAYS},
]


@pytest.mark.parametrize("value", WEEKS)
def test_round_trip_week_to_osm_and_back(value):
    assert hours.from_osm(hours.to_osm(value)) == value


@pytest.mark.parametrize("expr", [
    "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00",
    "Mo,We,Fr 09:00-12:00; Tu,Th 14:00-18:00",
    "Tu-Sa 10:00-18:00",
    "Mo 08:00-12:00",
])
def test_round_trip_osm_to_week_and_back(expr):
    assert hours.to_osm(hours.from_osm(expr)) == expr


@pytest.mark.parametrize("expr, expected", [
    ("Mo-Fr 9:00-12:00", "Mo-Fr 09:00-12:00"),
    ("Mo-Fr 09:00-12:00 ; ", "Mo-Fr 09:00-12:00"),
    ("Sa-Mo 10:00-12:00", "Mo,Sa-Su 10:00-12:00"),  # a range across the week end
    ("Mo,Tu 09:00-12:00", "Mo-Tu 09:00-12:00"),
])
def test_from_osm_accepts_equivalent_spellings(expr, expected):
    assert hours.to_osm(hours.from_osm(expr)) == expected


@pytest.mark.parametrize("expr", [
    "PH off",
    "24/7",
    "Mo-Fr 09:00-12:00; PH off",
    "Mo-Fr 09:00-12:00; We off",
    "Mo-Fr 09:00-12:00; Mo-Fr 14:00-17:00",  # the second rule replaces the first: not a simple week
    "Mo 08:00-10:00,11:00-12:00,14:00-16:00",  # more ranges than the editor shows
    "Fr 22:00-02:00",  # overnight
    "Mo 12:00-09:00",
    "Mo 10:00-12:00,11:00-13:00",  # overlapping
    "Jan-Jun Mo 09:00-12:00",
    'Mo 09:00-12:00 "sur rendez-vous"',
    "Mo 09:00-24:00",
])
def test_from_osm_returns_none_when_the_editor_cannot_show_it(expr):
    assert hours.from_osm(expr) is None


def test_from_osm_of_nothing_is_an_empty_week():
    assert hours.from_osm("") == hours.empty_week()
    assert hours.from_osm(None) == hours.empty_week()


@pytest.mark.parametrize("expr, editable, rest", [
    ("Mo-Fr 09:00-12:00; PH off", "Mo-Fr 09:00-12:00", "PH off"),
    ("PH off", "", "PH off"),
    ("Mo 09:00-12:00; Tu 14:00-18:00 \"sur rdv; appeler\"; PH off", "Mo 09:00-12:00",
     "Tu 14:00-18:00 \"sur rdv; appeler\"; PH off"),
    ("Mo-Fr 09:00-12:00; We off; Sa 10:00-12:00", "Mo-Fr 09:00-12:00", "We off; Sa 10:00-12:00"),
    ("Mo-Fr 09:00-17:00", "Mo-Fr 09:00-17:00", ""),
])
def test_split_keeps_the_rest_verbatim_and_join_means_the_same(expr, editable, rest):
    week_part, extra = hours.split(expr)
    assert hours.to_osm(week_part) == editable
    assert extra == rest
    assert hours.join(week_part, extra) == expr


def test_join_puts_expert_rules_after_the_week():
    assert hours.join(week(Mo=[MORNING]), " PH off ") == "Mo 09:00-12:00; PH off"
    assert hours.join(week(), "PH off") == "PH off"
    assert hours.join(week(Mo=[MORNING]), "") == "Mo 09:00-12:00"
    assert hours.join(week(), None) == ""


def test_validate_accepts_osm_and_returns_it_stripped():
    assert hours.validate("  Mo-Fr 09:00-12:00; PH off ") == "Mo-Fr 09:00-12:00; PH off"
    assert hours.validate("") == ""
    assert hours.validate(None) == ""


@pytest.mark.parametrize("expr", ["lundi 9h-12h", "Mo-Fr 25:00-26:00", "n'importe quoi", "Mo-Fr 09:00-"])
def test_validate_refuses_bad_syntax_in_french(expr):
    with pytest.raises(hours.HoursError, match=r"Horaires non reconnus.*OpenStreetMap"):
        hours.validate(expr)


def test_validate_refuses_very_long_expressions():
    with pytest.raises(hours.HoursError, match="1000 caractères"):
        hours.validate("Mo 09:00-12:00; " * 100)


@pytest.mark.parametrize("value, expected", [
    ("09:00", "09:00"), ("9:00", "09:00"), ("9h", "09:00"), ("9h30", "09:30"), ("14 h 05", "14:05"),
    ("17:30:00", "17:30"), ("", None), (None, None), ("  ", None),
])
def test_parse_time(value, expected):
    assert hours.parse_time(value) == expected


@pytest.mark.parametrize("value", ["25:00", "12:75", "midi", "9.30"])
def test_parse_time_refuses(value):
    with pytest.raises(hours.HoursError) as raised:
        hours.parse_time(value)
    assert "n'est pas une heure valable" in plain_french(str(raised.value))


def test_parse_editor_builds_the_week():
    raw = {"Mo": [("09:00", "12:00"), ("14:00", "17:30")], "Tu": [("", ""), ("14:00", "18:00")],
           "We": [(None, None), (None, None)]}
    week_part, errors = hours.parse_editor(raw)
    assert errors == {}
    assert week_part == week(Mo=[MORNING, AFTERNOON], Tu=[("14:00", "18:00")])


@pytest.mark.parametrize("pairs, message", [
    ([("12:00", "09:00")], "Lundi : la fermeture du créneau 1 (09:00) doit être après son ouverture (12:00)."),
    ([("09:00", "09:00")], "doit être après son ouverture"),
    ([("09:00", "")], "Lundi : indiquez l'heure d'ouverture et l'heure de fermeture du créneau 1."),
    ([("09:00", "12:00"), ("", "17:00")], "du créneau 2"),
    ([("09:00", "12:00"), ("11:00", "17:00")], "le créneau 2 doit commencer après la fin du créneau précédent"),
    ([("9 heures", "12:00")], "« 9 heures » n'est pas une heure valable"),
])
def test_parse_editor_reports_each_day_in_french(pairs, message):
    _, errors = hours.parse_editor({"Mo": pairs, "Tu": [("09:00", "12:00")]})
    assert list(errors) == ["Mo"]
    assert message in plain_french(str(errors["Mo"]))


@pytest.mark.parametrize("pairs, slot, edge", [
    ([("12:00", "09:00")], 1, "end"),
    ([("09:00", "")], 1, "end"),
    ([("", "12:00")], 1, "start"),
    ([("09:00", "12:00"), ("", "17:00")], 2, "start"),
    ([("09:00", "12:00"), ("14:00", "13:00")], 2, "end"),
    ([("09:00", "12:00"), ("11:00", "17:00")], 2, "start"),
    ([("09:00", "12:00"), ("14:00", "midi")], 2, "end"),
])
def test_parse_editor_names_the_input_at_fault(pairs, slot, edge):
    _, errors = hours.parse_editor({"Fr": pairs})
    assert (errors["Fr"].slot, errors["Fr"].edge) == (slot, edge)


@pytest.mark.parametrize("expr, lines", [
    ("Mo-Fr 09:00-12:00,14:00-17:30", ["Lundi au vendredi : 9 h – 12 h, 14 h – 17 h 30", "Samedi et dimanche : fermé"]),
    ("Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off",
     ["Lundi au vendredi : 9 h – 12 h, 14 h – 17 h 30", "Samedi : 9 h – 12 h", "Fermé les jours fériés"]),
    ("Mo,We,Fr 09:00-12:00; Tu,Th 13:30-18:05",
     ["Lundi, mercredi et vendredi : 9 h – 12 h", "Mardi et jeudi : 13 h 30 – 18 h 05", "Samedi et dimanche : fermé"]),
    ("Mo-We,Fr 10:00-12:00", ["Lundi au mercredi et vendredi : 10 h – 12 h", "Jeudi, samedi et dimanche : fermé"]),
    ("Mo-Su 08:00-20:00", ["Lundi au dimanche : 8 h – 20 h"]),
    ("24/7", ["Ouvert 24 h/24, 7 jours sur 7"]),
    ("Mo 09:00-12:00; Aug off", ["Lundi : 9 h – 12 h", "Horaires particuliers : Aug off"]),
    ("", []),
    (None, []),
])
def test_describe_in_french(expr, lines):
    assert [plain(line) for line in hours.describe_lines(expr)] == lines
    assert plain(hours.describe(expr)) == "\n".join(lines)


def test_describe_uses_non_breaking_spaces():
    assert hours.describe("Mo 09:30-12:00").startswith(f"Lundi{NBSP}: 9{NBSP}h{NBSP}30 – 12{NBSP}h")
