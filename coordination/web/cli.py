"""The commands that run a scheduled job once (`flask events invite`, `flask referrals purge`,
`flask mail send-pending`…): the same function the scheduler runs, and one line that says what it did."""
from collections.abc import Callable

import click
from flask.cli import AppGroup


def job_command(group: AppGroup, name: str, job: Callable, says: Callable[..., str], help: str) -> None:
    """Declares `flask <group> <name>`: runs ``job()`` once and prints ``says(result)``."""
    @group.command(name, help=help)
    def command():
        click.echo(says(job()))
