import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Réseau de démonstration.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des organisations.")
def seed(if_empty):
    """Crée le réseau de démonstration (Nantes / Loire-Atlantique)."""
    from coordination.directory import demo
    demo.seed(if_empty=if_empty, echo=click.echo)
