"""`flask opendata …`: regenerate the open-data files, import a directory file.

Each command lives beside the code it drives; this group only gathers them."""
from flask.cli import AppGroup

from export.importing import import_command
from export.publish import export_command

opendata_cli = AppGroup("opendata", help="Données ouvertes : export des fichiers, import d'un annuaire.")
opendata_cli.add_command(export_command, "export")
opendata_cli.add_command(import_command, "import")
