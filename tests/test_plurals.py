"""The interface's plural choice (French rule: 0 and 1 are singular) and its use in pages."""
import pytest
from flask_babel import ngettext


@pytest.mark.parametrize("count, expected", [(0, "0 réunion créée."), (1, "1 réunion créée."),
                                             (2, "2 réunions créées."), (12, "12 réunions créées.")])
def test_french_plural_rule(app, count, expected):
    with app.test_request_context():
        # a message of the code (in the catalogue): French says « 0 réunion »
        assert ngettext("%(num)s réunion créée.", "%(num)s réunions créées.", count) == expected


def test_templates_say_it_without_parentheses(app):
    with app.test_request_context():
        from flask import render_template_string
        text = render_template_string('{{ ngettext("%(num)s lieu vérifié", "%(num)s lieux vérifiés", n) }}', n=3)
    assert text == "3 lieux vérifiés"
