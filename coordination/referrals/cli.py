"""`flask referrals …` commands: the scheduled jobs run once, and the key rotation."""
import click
from flask.cli import AppGroup
from flask_babel import gettext as _, ngettext
from flask_babel import lazy_gettext

from coordination.referrals import deadlines, key_rotation
from coordination.web.cli import job_command

referrals_cli = AppGroup("referrals", help=lazy_gettext("Orientations : clés de chiffrement, tâches planifiées."))

job_command(referrals_cli, "expire", deadlines.expire_referrals,
            lambda count: ngettext("%(num)s orientation expirée.", "%(num)s orientations expirées.", count),
            help=lazy_gettext("Passe en « expirée » les orientations restées sans réponse (une fois)."))
job_command(referrals_cli, "remind", deadlines.send_reminders,
            lambda count: ngettext("Rappels envoyés pour %(num)s orientation.", "Rappels envoyés pour %(num)s orientations.", count),
            help=lazy_gettext("Envoie les rappels dus aux structures destinataires (une fois ; rien le week-end)."))
job_command(referrals_cli, "close-unfinished", deadlines.close_unfinished,
            lambda count: ngettext("%(num)s orientation close faute d'issue.", "%(num)s orientations closes faute d'issue.",
                                  count),
            help=lazy_gettext("Clôt les orientations acceptées dont l'issue n'a jamais été enregistrée (REFERRAL_OUTCOME_DAYS)."))
job_command(referrals_cli, "purge", deadlines.purge_personal_data,
            lambda count: ngettext("Données personnelles effacées pour %(num)s orientation.",
                                  "Données personnelles effacées pour %(num)s orientations.", count),
            help=lazy_gettext("Efface les données personnelles des orientations closes depuis la durée de conservation."))


@referrals_cli.command("rotate-key", help=lazy_gettext(
    "Rechiffre les données personnelles et les commentaires avec la première clé de PERSONAL_DATA_KEYS.\n\n"
    "Ajoutez la nouvelle clé en tête de PERSONAL_DATA_KEYS, lancez cette commande, et ne retirez l'ancienne clé "
    "qu'après une exécution sans erreur. La commande peut être relancée sans risque."))
@click.option("--batch-size", default=key_rotation.ROTATION_BATCH_SIZE, show_default=True,
              help=lazy_gettext("Lignes rechiffrées par transaction."))
def rotate_key(batch_size):
    report = key_rotation.rotate_keys(batch_size=batch_size)
    click.echo(_("Données personnelles rechiffrées : %(num)s", num=report.referrals))
    click.echo(_("Commentaires rechiffrés : %(num)s", num=report.comments))
    if report.changed_meanwhile:
        click.echo(_("Modifiées pendant l'opération (laissées telles quelles) : %(num)s", num=report.changed_meanwhile))
    if report.unreadable:
        click.echo(_("Illisibles avec les clés configurées (laissées intactes) : %(num)s", num=len(report.unreadable)),
                   err=True)
        for table, row_id in report.unreadable:
            click.echo("  " + _("%(table)s n° %(id)s", table=table, id=row_id), err=True)
        click.echo(_("Ne retirez aucune ancienne clé : remettez celle qui chiffrait ces valeurs, puis relancez."),
                   err=True)
        raise SystemExit(1)
    click.echo(_("Terminé : l'ancienne clé peut être retirée de %(setting)s.", setting="PERSONAL_DATA_KEYS"))
