"""French that reads right: « de » before names, one time format, typography that never breaks a line
before a mark."""
from datetime import time

import pytest

from coordination.core.french import de, time_fr, typography

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(("name", "expected"), [
    ("Les Connecteurs", "des Connecteurs"),
    ("Le Secours populaire", "du Secours populaire"),
    ("La Poste", "de la Poste"),
    ("L'Atelier numérique", "de l’Atelier numérique"),
    ("L’Atelier numérique", "de l’Atelier numérique"),
    ("Emmaüs Connect", "d’Emmaüs Connect"),
    ("Espace France Services", "d’Espace France Services"),
    ("Médiathèque Jacques Demy", "de Médiathèque Jacques Demy"),
    ("Lespinasse numérique", "de Lespinasse numérique"),   # « Les » only as a word
    ("Lanterne", "de Lanterne"),
])
def test_de_contracts_and_elides_before_a_name(name, expected):
    assert de(name) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("09:30", f"9{NBSP}h{NBSP}30"), ("14:00", f"14{NBSP}h"), (time(0, 5), f"0{NBSP}h{NBSP}05"),
])
def test_one_time_format(value, expected):
    assert time_fr(value) == expected


def test_typography_keeps_marks_with_their_words():
    assert typography("Adresse : 3 rue de l'Église ; ouvert ? oui !") == (
        f"Adresse{NBSP}: 3 rue de l’Église{NNBSP}; ouvert{NNBSP}? oui{NNBSP}!")
    assert typography("« Les Connecteurs »") == f"«{NBSP}Les Connecteurs{NBSP}»"
    # after an element of a message with markup too
    assert typography("<code>429</code> : trop de requêtes ; voir <code>Retry-After</code> ;") == (
        f"<code>429</code>{NBSP}: trop de requêtes{NNBSP}; voir <code>Retry-After</code>{NNBSP};")


def test_typography_leaves_times_and_addresses_alone():
    text = "Rendez-vous à 14:30 sur https://exemple.fr/recherche?q=caf"
    assert typography(text) == text


def test_typography_keeps_a_colon_with_its_word_before_markup():
    assert typography("Fiche à jour en ligne :<br>") == f"Fiche à jour en ligne{NBSP}:<br>"
