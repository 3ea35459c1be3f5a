"""`flask events …` commands: each scheduled job of the network meetings, run once."""
from flask.cli import AppGroup
from flask_babel import ngettext
from flask_babel import lazy_gettext

from coordination.events import services
from coordination.web.cli import job_command

events_cli = AppGroup("events", help=lazy_gettext("Réunions du réseau : tâches planifiées, lancées une fois."))

job_command(events_cli, "materialise", services.materialise_occurrences,
            lambda count: ngettext("%(num)s réunion créée.", "%(num)s réunions créées.", count),
            help=lazy_gettext("Crée les prochaines réunions de chaque série (MEETING_MATERIALISED)."))
job_command(events_cli, "invite", services.send_invitations,
            lambda count: ngettext("%(num)s invitation envoyée.", "%(num)s invitations envoyées.", count),
            help=lazy_gettext("Envoie les invitations dues (nouveaux membres compris) ; sans effet si elles sont déjà parties."))
job_command(events_cli, "remind", services.send_reminders,
            lambda count: ngettext("%(num)s rappel envoyé.", "%(num)s rappels envoyés.", count),
            help=lazy_gettext("Envoie les rappels dus (MEETING_REMINDER_DAYS) et la liste des organisations sans réponse."))
