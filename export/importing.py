"""Reads directory files for import (work in progress: filled by the import work of issue 4)."""
import click


@click.command("import")
def import_command():
    """Importe un fichier d'annuaire."""
    raise click.ClickException("L'import n'est pas encore disponible.")
