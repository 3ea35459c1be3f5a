import click
from flask.cli import AppGroup

from coordination import mail

mail_cli = AppGroup("mail", help="Boîte d'envoi des courriels.")


@mail_cli.command("send-pending")
def send_pending():
    """Envoie les courriels en attente (et relance ceux qui ont échoué, selon leur délai)."""
    counts = mail.send_pending()
    click.echo(f"{counts['sent']} envoyé(s), {counts['retry']} à réessayer, {counts['failed']} en échec définitif.")


@mail_cli.command("retry-failed")
def retry_failed():
    """Remet en file les courriels en échec définitif."""
    click.echo(f"{mail.retry_failed()} courriel(s) remis en file.")


@mail_cli.command("release-stuck")
def release_stuck():
    """Marque en échec les courriels restés « en cours d'envoi » (expéditeur interrompu)."""
    click.echo(f"{mail.release_stuck()} courriel(s) marqué(s) en échec, à vérifier avant de relancer.")
