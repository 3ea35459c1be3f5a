"""``flask opendata import``: a directory file imported from the command line (``importing.py``)."""
import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from coordination.auth.services import find_user_by_email
from coordination.errors import DomainError
from coordination.directory.imports import importing, profiles
from coordination.directory.imports.plan import ACCEPTED, PENDING
from coordination.directory.imports.reading import ReadResult
from coordination.directory.imports.report import problem_line, summary_lines

CLI_PUBLICATIONS = {"acceptees": ACCEPTED, "acceptées": ACCEPTED, "en-attente": PENDING}


def _publication_choice(value: str) -> str:
    if value not in CLI_PUBLICATIONS:
        raise click.BadParameter(_("« %(value)s » : choisissez « acceptees » ou « en-attente ».", value=value))
    return value


@click.command("import", help=lazy_gettext(
    "Importe un fichier d'annuaire (standard 1.0.1 ou 0.1, CSV ou JSON ; liste France Services ; tout autre "
    "fichier avec un profil de correspondance : --profil NOM)."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--dry-run", is_flag=True, help=lazy_gettext("Vérifie le fichier et affiche ce qui serait fait, sans rien écrire."))
@click.option("--as", "as_email", metavar="EMAIL",
              help=lazy_gettext("Adresse du compte coordinateur au nom duquel l'import est fait (obligatoire)."))
@click.option("--skip-invalid", is_flag=True,
              help=lazy_gettext("Importe les lignes valables et laisse de côté les lignes en erreur (après une vérification)."))
@click.option("--profil", "profile_name", metavar="NOM",
              help=lazy_gettext("Profil de correspondance pour un fichier qui n'est pas au standard : nom d'un profil "
                   "livré (coordination/directory/imports/profils/) ou du dossier IMPORT_PROFILES_DIR, ou chemin d'un fichier .json."))
@click.option("--organisations", "publication", default="en-attente", show_default=True,
              metavar="acceptees|en-attente", callback=lambda _ctx, _param, value: _publication_choice(value),
              help=lazy_gettext("Organisations créées par l'import : « acceptees » (source de confiance, leurs lieux sont "
                   "publics tout de suite) ou « en-attente » (chacune attend la décision d'un coordinateur)."))
@click.option("--prevenir-structures", "notify", is_flag=True,
              help=lazy_gettext("Envoie une invitation (une par organisation créée, étalées dans le temps) aux adresses du "
                   "fichier. Sans cette option, aucun courriel n'est envoyé à une adresse du fichier."))
@click.option("--taille-max-mo", "max_mb", type=click.IntRange(min=1), metavar="N",
              help=lazy_gettext("Taille maximale du fichier en Mo pour cet import seulement (par défaut : la limite "
                   "IMPORT_MAX_BYTES de la configuration, 30 Mo), par exemple pour l'annuaire national."))
@click.option("--sans-courriels-personnels", "strip_personal_emails", is_flag=True,
              help=lazy_gettext("N'importe pas les adresses électroniques qui ressemblent à une adresse nominative "
                   "(prénom.nom@…) : chacune est signalée par un avertissement."))
@with_appcontext
def import_command(file, dry_run, as_email, skip_invalid, publication, notify, max_mb, profile_name,
                   strip_personal_emails):
    if not as_email:
        raise click.UsageError(_("Indiquez le compte coordinateur qui fait l'import : --as adresse@exemple.fr "
                               "(il est enregistré dans le journal d'audit)."))
    actor = find_user_by_email(as_email)
    if actor is None or not actor.is_coordinator or not actor.active:
        raise click.ClickException(_("« %(email)s » n'est pas un compte coordinateur actif.", email=as_email))
    try:
        profile = None
        if profile_name:
            profile = (profiles.load_path(profile_name) if profile_name.endswith(".json")
                       else profiles.load(profile_name))
    except profiles.ProfileError as error:
        raise click.ClickException(error.message) from None
    try:
        with click.progressbar(length=1, label=_("Vérification") if dry_run else _("Vérification et import"),
                               show_pos=True) as bar:
            outcome = _run_with_bar(file, actor, bar, dry_run=dry_run, skip_invalid=skip_invalid,
                                    max_bytes=max_mb * 1024 * 1024 if max_mb else None, profile=profile,
                                    strip_personal_emails=strip_personal_emails,
                                    publication=CLI_PUBLICATIONS[publication], notify=notify)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    for line in summary_lines(outcome):
        click.echo(line)
    problems = outcome.problems
    if problems:
        click.echo("")
        click.echo(_("Problèmes :"))
        for problem in problems:
            click.echo("  " + problem_line(problem, json_file=outcome.read.json))
    if dry_run and not outcome.has_errors:
        click.echo(_("Vérification seule (--dry-run) : rien n'a été écrit."))
    applied = outcome.report is not None and outcome.report.applied
    if outcome.has_errors and not applied:
        raise SystemExit(1)


def _run_with_bar(file, actor, bar, *, dry_run: bool, skip_invalid: bool, max_bytes: int | None,
                  profile: profiles.Profile | None = None, strip_personal_emails: bool = False,
                  publication: str = PENDING, notify: bool = False) -> importing.Outcome:
    """The bar counts rows once the file is read (its length is known then)."""
    def rows_known(read: ReadResult) -> None:
        bar.length = max(1, read.size)

    if dry_run:
        return importing.check_file(file, actor=actor, max_bytes=max_bytes, progress=bar.update,
                                    on_read=rows_known, profile=profile,
                                    strip_personal_emails=strip_personal_emails, publication=publication)
    return importing.apply_file(file, actor=actor, max_bytes=max_bytes, progress=bar.update, on_read=rows_known,
                                skip_invalid=skip_invalid, profile=profile,
                                strip_personal_emails=strip_personal_emails, publication=publication, notify=notify)
