"""Demo network (written for Maillage; no copied dataset). Filled in by the demo-network work."""


def seed(*, if_empty: bool, echo) -> None:
    echo("Réseau de démonstration : pas encore disponible.")
