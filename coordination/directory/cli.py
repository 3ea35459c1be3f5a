import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Réseau de démonstration.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des organisations.")
def seed(if_empty):
    """Crée le réseau de démonstration (Nantes / Loire-Atlantique)."""
    from coordination.directory import demo
    try:
        demo.seed(if_empty=if_empty, echo=click.echo)
    except demo.DemoRefused as error:
        raise click.ClickException(str(error)) from None


search_cli = AppGroup("search", help="Index de recherche des lieux.")


@search_cli.command("reindex")
@click.option("--processus", "processes", type=click.IntRange(1, 32), default=None,
              help="Processus d'analyse en parallèle (par défaut : un par cœur, 4 au plus).")
def reindex(processes):
    """Reconstruit l'index dans un nouveau dossier, puis le met en service d'un coup."""
    from coordination.directory import search
    processes = processes or search.default_processes()
    try:
        with click.progressbar(length=search.public_place_count(), label="Indexation des lieux") as bar:
            count = search.reindex(progress=bar.update, processes=processes)
    except search.IndexBusy:
        raise click.ClickException("L'index est en cours d'écriture par un autre processus : "
                                   "réessayez dans un moment.") from None
    except search.IndexIncomplete as error:
        raise click.ClickException(f"Index non remplacé, l'index en service reste le même : {error}. "
                                   "Relancez avec --processus 1 ou avec plus de mémoire.") from None
    click.echo(f"Index reconstruit : {count} lieux publiés.")


@search_cli.command("apply-queue")
def apply_queue():
    """Applique une fois la file des lieux modifiés à l'index."""
    from coordination.directory import search
    count = search.apply_queue()
    click.echo(f"{count} lieu(x) mis à jour dans l'index.")
