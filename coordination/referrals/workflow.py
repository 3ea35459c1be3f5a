"""The referral state machine, as data: who may move a referral from which status to which.

"sender" is any member of the sending organisation, "receiver" any member of the organisation
whose place receives it, "system" the scheduler (expiry). No database; the labels are translated
when shown (``lazy_gettext``).
"""
from flask_babel import lazy_gettext

SENT = "sent"
ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"
CANCELLED = "cancelled"
COMPLETED = "completed"  # help given
NO_SHOW = "no_show"
UNREACHABLE = "unreachable"
REDIRECTED = "redirected"
CLOSED = "closed"
WITHDRAWN = "withdrawn"  # the person withdrew their consent

STATUS_LABELS = {
    SENT: lazy_gettext("En attente de réponse"),
    ACCEPTED: lazy_gettext("Acceptée"),
    DECLINED: lazy_gettext("Refusée"),
    EXPIRED: lazy_gettext("Expirée sans réponse"),
    CANCELLED: lazy_gettext("Annulée par l'envoyeur"),
    COMPLETED: lazy_gettext("Aide apportée"),
    NO_SHOW: lazy_gettext("La personne n'est pas venue"),
    UNREACHABLE: lazy_gettext("Personne injoignable"),
    REDIRECTED: lazy_gettext("Réorientée vers un autre lieu"),
    CLOSED: lazy_gettext("Clôturée"),
    WITHDRAWN: lazy_gettext("Consentement retiré"),
}
OPEN_STATUSES = (SENT, ACCEPTED)
OUTCOMES = (COMPLETED, NO_SHOW, UNREACHABLE, REDIRECTED, CLOSED)
FINAL_STATUSES = (DECLINED, EXPIRED, CANCELLED, WITHDRAWN, *OUTCOMES)

DECLINE_REASONS = {
    "out_of_scope": lazy_gettext("Ce service n'est pas proposé ici"),
    "full": lazy_gettext("Plus de place disponible pour le moment"),
    "too_far": lazy_gettext("Le lieu est trop éloigné de la personne"),
    "public": lazy_gettext("La personne ne fait pas partie du public accueilli"),
    "duplicate": lazy_gettext("La personne est déjà accompagnée ici"),
    "other": lazy_gettext("Autre raison (précisée en commentaire)"),
}

# (from, to) -> who may do it
TRANSITIONS = {
    (SENT, ACCEPTED): "receiver",
    (SENT, DECLINED): "receiver",
    (SENT, CANCELLED): "sender",
    (SENT, EXPIRED): "system",
    **{(ACCEPTED, outcome): "receiver" for outcome in OUTCOMES},
    # Either organisation records a withdrawal of consent while the referral is open.
    (SENT, WITHDRAWN): "either",
    (ACCEPTED, WITHDRAWN): "either",
}


# What the scheduler does on its own: expire an unanswered referral; close an accepted one whose
# outcome was never recorded (so that its personal data reaches the end of its retention).
SYSTEM_TRANSITIONS = {(SENT, EXPIRED), (ACCEPTED, CLOSED)}


def allowed(current: str, target: str, side: str) -> bool:
    """Whether ``side`` ("sender", "receiver", "both", "system") may move ``current`` to ``target``.
    "both" is a person who belongs to the two organisations: they may do what either may."""
    if side == "system":
        return (current, target) in SYSTEM_TRANSITIONS
    who = TRANSITIONS.get((current, target))
    if who is None:
        return False
    if who == "either":
        return side in ("sender", "receiver", "both")
    return side == who or (side == "both" and who in ("sender", "receiver"))


def next_statuses(current: str, side: str) -> list[str]:
    return [target for (source, target) in TRANSITIONS if source == current and allowed(current, target, side)]
