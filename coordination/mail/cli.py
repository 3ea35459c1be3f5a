"""`flask mail …` commands: the outbox's jobs run once, and failed messages queued again."""
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_babel import ngettext

from coordination import mail
from coordination.web.cli import job_command

mail_cli = AppGroup("mail", help=lazy_gettext("Boîte d'envoi des courriels."))

job_command(mail_cli, "send-pending", mail.send_pending,
            lambda counts: _("Envoyés : %(sent)s ; à réessayer : %(retry)s ; en échec définitif : %(failed)s ; "
                             "annulés avant l'envoi : %(cancelled)s.", sent=counts["sent"], retry=counts["retry"],
                             failed=counts["failed"], cancelled=counts["cancelled"]),
            help=lazy_gettext("Envoie les courriels en attente (et relance ceux qui ont échoué, selon leur délai)."))
job_command(mail_cli, "retry-failed", mail.retry_failed,
            lambda count: ngettext("%(num)s courriel remis en file.", "%(num)s courriels remis en file.", count),
            help=lazy_gettext("Remet en file les courriels en échec définitif."))
job_command(mail_cli, "release-stuck", mail.release_stuck,
            lambda count: ngettext("%(num)s courriel marqué en échec, à vérifier avant de relancer.",
                                   "%(num)s courriels marqués en échec, à vérifier avant de relancer.", count),
            help=lazy_gettext("Marque en échec les courriels restés « en cours d'envoi » (expéditeur interrompu)."))
job_command(mail_cli, "erase-sent", mail.erase_sent,
            lambda count: ngettext("%(num)s courriel envoyé effacé (destinataire et texte).",
                                   "%(num)s courriels envoyés effacés (destinataire et texte).", count),
            help=lazy_gettext("Efface le destinataire et le texte des courriels envoyés depuis plus de MAIL_RETENTION_DAYS jours."))
