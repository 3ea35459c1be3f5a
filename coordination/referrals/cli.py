"""`flask referrals …` commands: the scheduled jobs run once, and the key rotation."""
import click
from flask.cli import AppGroup

from coordination.referrals import deadlines, key_rotation
from coordination.utils import count_of
from coordination.web.cli import job_command

referrals_cli = AppGroup("referrals", help="Orientations : clés de chiffrement, tâches planifiées.")

job_command(referrals_cli, "expire", deadlines.expire_referrals,
            lambda count: f"{count_of(count, 'orientation expirée', 'orientations expirées')}.",
            help="Passe en « expirée » les orientations restées sans réponse (une fois).")
job_command(referrals_cli, "remind", deadlines.send_reminders,
            lambda count: f"Rappels envoyés pour {count_of(count, 'orientation', 'orientations')}.",
            help="Envoie les rappels dus aux structures destinataires (une fois ; rien le week-end).")
job_command(referrals_cli, "close-unfinished", deadlines.close_unfinished,
            lambda count: f"{count_of(count, 'orientation close', 'orientations closes')} faute d'issue.",
            help="Clôt les orientations acceptées dont l'issue n'a jamais été enregistrée (REFERRAL_OUTCOME_DAYS).")
job_command(referrals_cli, "purge", deadlines.purge_personal_data,
            lambda count: f"Données personnelles effacées pour {count_of(count, 'orientation', 'orientations')}.",
            help="Efface les données personnelles des orientations closes depuis la durée de conservation.")


@referrals_cli.command("rotate-key")
@click.option("--batch-size", default=key_rotation.ROTATION_BATCH_SIZE, show_default=True,
              help="Lignes rechiffrées par transaction.")
def rotate_key(batch_size):
    """Rechiffre les données personnelles et les commentaires avec la première clé de PERSONAL_DATA_KEYS.

    Ajoutez la nouvelle clé en tête de PERSONAL_DATA_KEYS, lancez cette commande, et ne retirez
    l'ancienne clé qu'après une exécution sans erreur. La commande peut être relancée sans risque."""
    report = key_rotation.rotate_keys(batch_size=batch_size)
    click.echo(f"Données personnelles rechiffrées : {report.referrals}")
    click.echo(f"Commentaires rechiffrés : {report.comments}")
    if report.changed_meanwhile:
        click.echo(f"Modifiées pendant l'opération (laissées telles quelles) : {report.changed_meanwhile}")
    if report.unreadable:
        click.echo(f"Illisibles avec les clés configurées (laissées intactes) : {len(report.unreadable)}", err=True)
        for table, row_id in report.unreadable:
            click.echo(f"  {table} n° {row_id}", err=True)
        click.echo("Ne retirez aucune ancienne clé : remettez celle qui chiffrait ces valeurs, puis relancez.",
                   err=True)
        raise SystemExit(1)
    click.echo("Terminé : l'ancienne clé peut être retirée de PERSONAL_DATA_KEYS.")
