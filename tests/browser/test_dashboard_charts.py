"""The dashboard's charts read on a phone and on a desktop (issue 18, item 4): labels of at least
12 px as drawn, long labels wrapped rather than cut, and a caption that says which of the table's
columns the chart draws."""
import pytest

from coordination.testing.factories import PASSWORD
from tests.dashboard import build_network
from tests.french import plain

pytestmark = pytest.mark.browser

# every text of every chart: its size as drawn (font size × the chart's scale), its text, and whether
# it stays inside its chart
TEXTS = """() => Array.from(document.querySelectorAll("svg[role=img] text, svg[role=img] tspan")).map(text => {
  const chart = text.ownerSVGElement.getBoundingClientRect(), box = text.getBoundingClientRect();
  return {size: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a, text: text.textContent,
          inside: box.left >= chart.left - 0.5 && box.right <= chart.right + 0.5};
})"""


@pytest.mark.parametrize("width", [360, 1280])
def test_chart_labels_are_readable_whole_and_inside_their_chart(page, live_server, browser_login, app, width):
    network = build_network()
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(network.coordinator, PASSWORD)
    page.goto(f"{live_server}/coordination/tableau-de-bord")
    texts = page.evaluate(TEXTS)
    assert len(texts) > 20
    assert [t for t in texts if t["size"] < 12] == []
    assert [t for t in texts if t["text"].endswith("…")] == []
    assert [t for t in texts if not t["inside"]] == []
    # the longest service label is there in full, over two lines
    lines = page.locator("#graphique-services tspan").all_text_contents()
    assert "Maîtrise des outils numériques du quotidien" in " ".join(lines)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_chart_says_which_column_of_its_table_it_draws(page, live_server, browser_login, app):
    network = build_network()
    browser_login(network.coordinator, PASSWORD)
    page.goto(f"{live_server}/coordination/tableau-de-bord")
    caption = plain(page.locator("#tableau-types figcaption").inner_text())
    assert caption.startswith("Le graphique montre la colonne « Organisations » du tableau")
    assert caption.endswith("le tableau donne aussi : « Lieux publiés ».")
    same = plain(page.locator("#tableau-services figcaption").inner_text())
    assert same.startswith("Les mêmes chiffres que le tableau")
