"""Writes the open-data files (work in progress: filled by the exports work of issue 4)."""
import click


@click.command("export")
def export_command():
    """Régénère les fichiers de données ouvertes."""
    raise click.ClickException("L'export n'est pas encore disponible.")
