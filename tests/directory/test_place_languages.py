"""The place page, its printable sheet, « Signaler une erreur » and the open-data page in each
language: translated headings and hours, partner content kept in French and marked so (RGAA 8.7)."""
import re
from datetime import timedelta
from html import unescape

import pytest

from coordination.directory import hours, services
from coordination.directory.models import PlaceClosure
from coordination.extensions import db as _db
from coordination.testing.factories import make_organisation, make_place

HEADINGS = {"en": "Opening hours", "es": "Horario", "ar": "مواعيد العمل", "uk": "Години роботи"}
NOTE = {"en": "The information about this place is written in French",
        "es": "La información de este lugar está redactada en francés",
        "ar": "معلومات هذا المكان مكتوبة باللغة الفرنسية",
        "uk": "Інформацію про це місце написала французькою мовою"}


@pytest.fixture
def place():
    organisation = make_organisation("Centre social du Breil")
    return make_place(
        organisation, name="Espace numérique du Breil", address="12 rue du Breil", postcode="44100",
        commune="Nantes", latitude=47.2305, longitude=-1.5901,
        opening_hours="Mo-Fr 09:00-12:00,14:00-17:30; PH off", phone="+33240123456",
        summary="Aide aux démarches en ligne.", description="Un accueil sans rendez-vous le matin.",
        services=["Aide aux démarches administratives", "Café numérique du jeudi"], fees=["Gratuit"])


def page(client, address) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return unescape(response.get_data(as_text=True))


def marked(code: str) -> str:
    """How partner content is marked on a page in ``code`` (right to left: its direction too)."""
    return ' lang="fr" dir="ltr"' if code == "ar" else ' lang="fr"'


def html_lang(text: str) -> str:
    return re.search(r'<html lang="(\w+)"', text).group(1)


@pytest.mark.parametrize("code", HEADINGS)
def test_the_place_page_answers_in_each_language(client, place, code):
    text = page(client, f"/{code}/lieux/{place.public_id}")
    assert html_lang(text) == code
    assert f'<h2 id="horaires">{HEADINGS[code]}</h2>' in text
    assert NOTE[code] in text and text.count(NOTE[code]) == 1
    # what the partner wrote stays French, and says so
    fr = marked(code)
    assert f'<h1{fr}>Espace numérique du Breil</h1>' in text
    assert f'<p class="lead"{fr}>Aide aux démarches en ligne.</p>' in text
    assert f'<p class="prewrap"{fr}>Un accueil sans rendez-vous le matin.</p>' in text
    # a value outside the national vocabularies has no translation: it stays French, marked
    assert f'<li><span{fr}>Café numérique du jeudi</span></li>' in text


def test_the_french_page_has_no_note_and_no_lang_marks(client, place):
    text = page(client, f"/lieux/{place.public_id}")
    assert html_lang(text) == "fr" and "<h1>Espace numérique du Breil</h1>" in text
    assert 'lang="fr">' not in text.split("<main", 1)[1]
    assert "rédigées en français" not in text


def test_hours_in_english_and_in_french(client, place):
    english = page(client, f"/en/lieux/{place.public_id}")
    assert "<li>Monday to Friday: 9:00\u202fAM – 12:00\u202fPM, 2:00\u202fPM – 5:30\u202fPM</li>" in english
    assert "<li>Closed on public holidays</li>" in english
    french = page(client, f"/lieux/{place.public_id}")
    assert "<li>Lundi au vendredi\u00a0: 9\u00a0h – 12\u00a0h, 14\u00a0h – 17\u00a0h\u00a030</li>" in french


def test_hours_outside_a_request_stay_french():
    assert hours.describe_lines("Mo-Fr 09:00-12:00") == [
        "Lundi au vendredi\u00a0: 9\u00a0h – 12\u00a0h", "Samedi et dimanche\u00a0: fermé"]


def test_a_closure_is_worded_in_the_page_language(client, place):
    today = services.paris_today()
    _db.session.add(PlaceClosure(place=place, starts_on=today, ends_on=today + timedelta(days=2),
                                 message="Travaux de peinture"))
    _db.session.commit()
    english = page(client, f"/en/lieux/{place.public_id}")
    assert "Temporarily closed until" in english
    assert "Closures and special opening hours" in english
    assert '<p lang="fr">Travaux de peinture</p>' in english
    assert "Fermé temporairement jusqu'au" in page(client, f"/lieux/{place.public_id}")


@pytest.mark.parametrize("code", HEADINGS)
def test_the_printable_sheet_answers_in_each_language(client, place, code):
    text = page(client, f"/{code}/lieux/{place.public_id}/fiche")
    assert html_lang(text) == code
    assert f'<h2 id="sheet-horaires">{HEADINGS[code]}</h2>' in text
    assert f'<h1{marked(code)}>Espace numérique du Breil</h1>' in text and NOTE[code] in text


def test_the_sheet_in_spanish_dates_and_hours(client, place):
    text = page(client, f"/es/lieux/{place.public_id}/fiche")
    assert "De lunes a viernes: 9:00 – 12:00, 14:00 – 17:30" in text
    assert "Volver a la ficha" in text and 'aria-label="Código QR' in text


REPORT = {"en": "Report a mistake", "es": "Informar de un error", "ar": "الإبلاغ عن خطأ",
          "uk": "Повідомити про помилку"}


@pytest.mark.parametrize("code", REPORT)
def test_the_report_form_answers_in_each_language(client, place, code):
    text = page(client, f"/{code}/lieux/{place.public_id}/signaler")
    assert html_lang(text) == code and f"<h1>{REPORT[code]}</h1>" in text


def test_the_place_page_links_to_the_report_form_in_its_language(client, place):
    assert f'href="/ar/lieux/{place.public_id}/signaler"' in page(client, f"/ar/lieux/{place.public_id}")


def refused(client, address):
    response = client.post(address, data={"kind": "other", "message": ""})
    assert response.status_code == 400
    return unescape(response.get_data(as_text=True))


def test_a_refused_report_says_why_in_english_on_the_english_page(client, place):
    text = refused(client, f"/en/lieux/{place.public_id}/signaler")
    assert "Your report could not be sent: check the form." in text
    assert "Describe in a few words what is wrong." in text
    assert "Décrivez" not in text


def test_a_refused_report_says_why_in_french_on_the_french_page(client, place):
    text = refused(client, f"/lieux/{place.public_id}/signaler")
    assert "Décrivez en quelques mots ce qui ne va pas." in text
    assert "Le signalement n’a pas pu être envoyé\u00a0: vérifiez le formulaire." in text


def test_a_report_sent_from_an_english_page_is_mailed_in_french(client, db, place, mail_outbox):
    address = f"/en/lieux/{place.public_id}/signaler"
    response = client.post(address, data={"kind": "hours", "message": "Fermé le lundi."})
    assert response.status_code == 302 and response.headers["Location"].startswith("/en/")
    assert "Thank you: your report has been sent" in page(client, response.headers["Location"])
    messages = mail_outbox()
    assert messages and all("Les horaires sont faux" in message.body_text for message in messages)


OPEN_DATA = {"en": "Open data", "es": "Datos abiertos", "ar": "البيانات المفتوحة", "uk": "Відкриті дані"}


@pytest.mark.parametrize("code", OPEN_DATA)
def test_the_open_data_page_answers_in_each_language(client, code):
    text = page(client, f"/{code}/open-data")
    assert html_lang(text) == code and f"<h1>{OPEN_DATA[code]}</h1>" in text


def test_a_missing_place_says_so_in_the_page_language(client):
    response = client.get("/es/lieux/inexistant")
    text = unescape(response.get_data(as_text=True))
    assert response.status_code == 404 and html_lang(text) == "es"
    assert "<h1>Página no encontrada</h1>" in text and "Volver a la página de inicio" in text
