"""`flask events …` commands: each scheduled job of the network meetings, run once."""
import click
from flask.cli import AppGroup

from coordination.events import maintenance
from coordination.utils import count_of

events_cli = AppGroup("events", help="Réunions du réseau : tâches planifiées, lancées une fois.")


@events_cli.command("materialise")
def materialise():
    """Crée les prochaines réunions de chaque série (MEETING_MATERIALISED)."""
    count = maintenance.materialise_occurrences()
    click.echo(f"{count_of(count, 'réunion créée', 'réunions créées')}.")


@events_cli.command("invite")
def invite():
    """Envoie les invitations dues (nouveaux membres compris) ; sans effet si elles sont déjà parties."""
    count = maintenance.send_invitations()
    click.echo(f"{count_of(count, 'invitation envoyée', 'invitations envoyées')}.")


@events_cli.command("remind")
def remind():
    """Envoie les rappels dus (MEETING_REMINDER_DAYS) et la liste des organisations sans réponse."""
    count = maintenance.send_reminders()
    click.echo(f"{count_of(count, 'rappel envoyé', 'rappels envoyés')}.")
