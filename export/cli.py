"""`flask opendata …`: regenerate the open-data files, import a directory file.

Each command lives beside the code it drives: ``export`` here, ``import`` in the directory domain
(``coordination.directory.imports``), which the app factory adds to this group."""
from flask.cli import AppGroup
from flask_babel import lazy_gettext

from export.publish import export_command

opendata_cli = AppGroup("opendata", help=lazy_gettext(
    "Données ouvertes : export des fichiers, import d'un annuaire."))
opendata_cli.add_command(export_command, "export")
