"""Signals through which domains react to each other without importing each other's internals
(leaf module). Senders send after their transaction has committed, except ``mail_due`` (asked before
sending a message, it changes nothing itself)."""
from blinker import Namespace

_signals = Namespace()

# sender: the organisation id; keyword: status (the new one)
organisation_status_changed = _signals.signal("organisation-status-changed")
# sender: a list of organisation ids decided together (the moderation queue's bulk decision); keyword: status
organisations_status_changed = _signals.signal("organisations-status-changed")
# sender: a queued message's dedupe key, just before the outbox sends it; a receiver that returns False
# cancels the message (a freshness reminder whose places were all confirmed since its campaign started)
mail_due = _signals.signal("mail-due")
