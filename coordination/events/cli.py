"""`flask events …` commands: each scheduled job of the network meetings, run once."""
import click
from flask.cli import AppGroup

from coordination.events import maintenance

events_cli = AppGroup("events", help="Réunions du réseau : tâches planifiées, lancées une fois.")


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


@events_cli.command("materialise")
def materialise():
    """Crée les prochaines réunions de chaque série (MEETING_MATERIALISED)."""
    count = maintenance.materialise_occurrences()
    click.echo(f"{_plural(count, 'réunion créée', 'réunions créées')}.")


@events_cli.command("invite")
def invite():
    """Envoie les invitations dues (nouveaux membres compris) ; sans effet si elles sont déjà parties."""
    count = maintenance.send_invitations()
    click.echo(f"{_plural(count, 'invitation envoyée', 'invitations envoyées')}.")


@events_cli.command("remind")
def remind():
    """Envoie les rappels dus (MEETING_REMINDER_DAYS) et la liste des organisations sans réponse."""
    count = maintenance.send_reminders()
    click.echo(f"{_plural(count, 'rappel envoyé', 'rappels envoyés')}.")
