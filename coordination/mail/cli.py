"""`flask mail …` commands: the outbox's jobs run once, and failed messages queued again."""
from flask.cli import AppGroup

from coordination import mail
from coordination.web.cli import job_command

mail_cli = AppGroup("mail", help="Boîte d'envoi des courriels.")

job_command(mail_cli, "send-pending", mail.send_pending,
            lambda counts: f"{counts['sent']} envoyé(s), {counts['retry']} à réessayer, "
                           f"{counts['failed']} en échec définitif.",
            help="Envoie les courriels en attente (et relance ceux qui ont échoué, selon leur délai).")
job_command(mail_cli, "retry-failed", mail.retry_failed, lambda count: f"{count} courriel(s) remis en file.",
            help="Remet en file les courriels en échec définitif.")
job_command(mail_cli, "release-stuck", mail.release_stuck,
            lambda count: f"{count} courriel(s) marqué(s) en échec, à vérifier avant de relancer.",
            help="Marque en échec les courriels restés « en cours d'envoi » (expéditeur interrompu).")
