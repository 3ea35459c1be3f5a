import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext

demo_cli = AppGroup("demo", help=lazy_gettext("Réseau de démonstration."))


@demo_cli.command("seed", help=lazy_gettext("Crée le réseau de démonstration (Nantes / Loire-Atlantique)."))
@click.option("--if-empty", is_flag=True, help=lazy_gettext("Ne rien faire si la base contient déjà des organisations."))
def seed(if_empty):
    from coordination.directory import demo
    try:
        demo.seed(if_empty=if_empty, echo=click.echo)
    except demo.DemoRefused as error:
        raise click.ClickException(str(error)) from None


search_cli = AppGroup("search", help=lazy_gettext("Index de recherche des lieux."))


@search_cli.command("reindex", help=lazy_gettext(
    "Reconstruit l'index dans un nouveau dossier, puis le met en service d'un coup."))
@click.option("--processus", "processes", type=click.IntRange(1, 32), default=None,
              help=lazy_gettext("Processus d'analyse en parallèle (par défaut : un par cœur, 4 au plus)."))
def reindex(processes):
    from coordination.directory import search
    processes = processes or search.default_processes()
    try:
        with click.progressbar(length=search.public_place_count(), label=_("Indexation des lieux")) as bar:
            count = search.reindex(progress=bar.update, processes=processes)
    except search.IndexBusy:
        raise click.ClickException(_("L'index est en cours d'écriture par un autre processus : "
                                     "réessayez dans un moment.")) from None
    except search.IndexIncomplete as error:
        raise click.ClickException(_("Index non remplacé, l'index en service reste le même : %(error)s. "
                                     "Relancez avec --processus 1 ou avec plus de mémoire.", error=error)) from None
    click.echo(ngettext("Index reconstruit : %(num)s lieu publié.", "Index reconstruit : %(num)s lieux publiés.", count))


@search_cli.command("apply-queue", help=lazy_gettext("Applique une fois la file des lieux modifiés à l'index."))
def apply_queue():
    from coordination.directory import search
    count = search.apply_queue()
    click.echo(ngettext("%(num)s lieu mis à jour dans l'index.", "%(num)s lieux mis à jour dans l'index.", count))
