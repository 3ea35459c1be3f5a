"""The command line speaks through the translation layer too: the help of every command and option
of ours is a message of the catalogues (declared with ``lazy_gettext``; click turns an option's help
into a plain string when it is declared, hence the check against the catalogue), and what the
commands print follows the wording rules of the pages (no « lieu(x) »)."""
import inspect

import click
import pytest
from babel.messages.pofile import read_po
from flask_babel.speaklater import LazyString

from coordination.web.i18n import TRANSLATIONS
from tests.french import plain

OURS = ("coordination", "export")


def our_commands(group: click.Group, path=()):
    """(path, command) for our commands, and for the groups that hold one (flask's own are left out)."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            inside = list(our_commands(command, (*path, name)))
            if inside:
                yield (*path, name), command
                yield from inside
        elif (getattr(command.callback, "__module__", None) or "").startswith(OURS):
            yield (*path, name), command


def test_every_command_and_option_of_ours_has_a_help_from_the_catalogue(app):
    commands = dict(our_commands(app.cli))
    assert {("opendata", "export"), ("opendata", "import"), ("demo", "seed"), ("referrals", "rotate-key"),
            ("mail", "send-pending"), ("users", "create-coordinator")} <= set(commands)
    with open(TRANSLATIONS / "messages.pot", "rb") as pot:
        messages = {message.id for message in read_po(pot) if isinstance(message.id, str)}
    untranslated = []
    for path, command in commands.items():
        if not isinstance(command.help, LazyString) or command.help._args[0] not in messages:
            untranslated.append(" ".join(path))
        untranslated += [f"{' '.join(path)} {option.opts[0]}" for option in command.params
                         if isinstance(option, click.Option) and option.help is not None
                         and not any(inspect.cleandoc(message) == option.help for message in messages)]
    assert untranslated == []


@pytest.mark.parametrize("args", [["--help"], ["opendata", "import", "--help"], ["referrals", "rotate-key", "--help"],
                                  ["search", "--help"]])
def test_help_pages_read_in_french(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Importe un fichier" in result.output or "Rechiffre" in result.output or "Index de recherche" in \
        result.output or "Réseau de démonstration" in result.output


def test_command_output_has_real_plurals(runner, network):
    result = runner.invoke(args=["search", "apply-queue"])
    assert result.exit_code == 0, result.output
    assert "(x)" not in result.output and "(s)" not in result.output
    assert plain(result.output).strip().endswith("mis à jour dans l'index.")
