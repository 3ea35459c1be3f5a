import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from coordination.auth import services
from coordination.errors import Invalid

users_cli = AppGroup("users", help=lazy_gettext("Comptes utilisateurs."))
PASSWORDS_DIFFER = lazy_gettext("Les deux mots de passe ne correspondent pas.")


def prompt_new_password() -> str:
    """Asks twice, without echo, until both entries match. click.prompt's own confirmation
    (confirmation_prompt=) cannot translate its mismatch message, hence this loop."""
    while True:
        password = click.prompt(_("Mot de passe"), hide_input=True)
        if password == click.prompt(_("Confirmez le mot de passe"), hide_input=True):
            return password
        click.echo(_("Erreur : %(problem)s Recommencez.", problem=PASSWORDS_DIFFER), err=True)


@users_cli.command("create-coordinator", help=lazy_gettext(
    "Crée un compte coordinateur, ou donne le rôle de coordinateur à un compte existant."))
@click.argument("email")
@click.option("--name", help=lazy_gettext("Nom affiché (par défaut : la partie de l'adresse avant @)."))
@click.option("--password", help=lazy_gettext("Mot de passe (demandé sans écho s'il n'est pas donné)."))
def create_coordinator(email, name, password):
    if password is None and services.find_user_by_email(email) is None:
        password = prompt_new_password()
    try:
        user, created = services.create_coordinator(email=email, name=name, password=password)
    except Invalid as error:
        raise click.ClickException(" ".join(error.messages())) from None
    if created:
        click.echo(_("Compte coordinateur créé : %(email)s", email=user.email))
    else:
        click.echo(_("%(email)s est désormais coordinateur.", email=user.email))
