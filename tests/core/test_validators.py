"""The validators every domain uses: where two domains used to answer differently, the answer
people need (a typed « www.exemple.fr » is fixed, an overseas number is a French number)."""
import pytest

from coordination.core import validators
from coordination.core.validators import FieldError
from coordination.errors import Invalid


@pytest.mark.parametrize(("typed", "stored"), [
    ("www.exemple.fr", "https://www.exemple.fr"),
    ("exemple.fr/contact", "https://exemple.fr/contact"),
    ("http://exemple.fr", "http://exemple.fr"),
])
def test_an_address_typed_without_its_scheme_is_fixed(typed, stored):
    assert validators.url(typed) == stored


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "ftp://exemple.fr", "https://exemple.fr/a b",
                                   "https://exemple.fr/\r\nBcc:", "pas une adresse"])
def test_what_is_not_a_web_address_is_refused(typed):
    with pytest.raises(FieldError, match="Adresse web invalide"):
        validators.url(typed)


@pytest.mark.parametrize(("typed", "stored"), [
    ("02 40 12 34 56", "+33240123456"),
    ("0590 12 34 56", "+590590123456"),  # Guadeloupe, typed the national way
    ("0262 12 34 56", "+262262123456"),  # La Réunion
    ("+33 6 12 34 56 78", "+33612345678"),
])
def test_french_numbers_of_the_metropole_and_overseas_are_accepted(typed, stored):
    assert validators.phone(typed) == stored
    assert validators.phone(typed, french_only=True) == stored


def test_another_country_is_accepted_unless_the_standard_wants_french_numbers():
    assert validators.phone("+44 20 7946 0958") == "+442079460958"
    with pytest.raises(FieldError, match="Seuls les numéros français"):
        validators.phone("+44 20 7946 0958", french_only=True)


@pytest.mark.parametrize("typed", ["12", "01 23", "pas un numéro"])
def test_a_number_that_is_no_number_is_refused(typed):
    with pytest.raises(FieldError, match="Numéro de téléphone invalide"):
        validators.phone(typed)


def test_one_line_texts_refuse_line_breaks_and_make_tabs_spaces():
    assert validators.one_line("  Les\tConnectés  ") == "Les Connectés"
    for bad in ("Nom\r\nBcc: x", "Nom\u2028x", "Nom\x00x"):
        with pytest.raises(FieldError, match="une seule ligne"):
            validators.one_line(bad)


def test_texts_keep_their_lines_and_refuse_control_characters():
    assert validators.text("Première ligne.\r\nDeuxième.") == "Première ligne.\nDeuxième."
    with pytest.raises(FieldError, match="caractère de contrôle"):
        validators.text("Texte\x07")
    with pytest.raises(FieldError, match="10 caractères au maximum"):
        validators.text("x" * 11, max_length=10)


@pytest.mark.parametrize(("typed", "stored"), [("732 829 320 00074", "73282932000074"), ("w441234567", "W441234567")])
def test_siret_and_rna(typed, stored):
    assert validators.pivot(typed) == stored


def test_postcodes_and_insee_codes():
    assert validators.postcode("44 000") == "44000"
    assert validators.insee_code("2a004") == "2A004"
    with pytest.raises(FieldError):
        validators.postcode("4400")
    with pytest.raises(FieldError):
        validators.insee_code("20004")


def test_emails_are_checked_one_by_one_and_named_when_wrong():
    assert validators.email(" Accueil@Exemple.FR ") == "Accueil@exemple.fr"
    assert validators.emails("a@exemple.fr; A@exemple.fr, b@exemple.fr") == ["a@exemple.fr", "b@exemple.fr"]
    with pytest.raises(FieldError, match="«\u00a0pas-une-adresse\u00a0»"):
        validators.emails("a@exemple.fr pas-une-adresse")


def test_a_service_gets_the_message_as_a_list_on_its_field():
    with pytest.raises(Invalid) as caught:
        validators.checked("website", validators.url, "ftp://x.fr")
    assert list(caught.value.errors) == ["website"]
    assert caught.value.errors["website"][0].startswith("Adresse web invalide")


def test_errors_are_lists_of_messages_everywhere():
    with pytest.raises(TypeError):
        Invalid(errors={"name": "un texte seul"})


def test_a_siret_is_shown_grouped_and_an_rna_number_unchanged():
    assert validators.format_pivot("73282932000074") == "732 829 320 00074"
    assert validators.format_pivot("W441234567") == "W441234567"
    assert validators.format_pivot(None) == ""
