"""Key rotation: every personal-data and comment token of the referrals re-encrypted with the newest
key of PERSONAL_DATA_KEYS (`flask referrals rotate-key`, cli.py)."""
from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from sqlalchemy import select, update

from coordination import crypto
from coordination.extensions import db
from coordination.referrals.models import Referral, ReferralStep

ROTATION_BATCH_SIZE = 500


@dataclass
class RotationReport:
    referrals: int = 0  # personal_data tokens re-encrypted
    comments: int = 0  # ReferralStep.comment tokens re-encrypted
    unreadable: list[tuple[str, int]] = field(default_factory=list)  # (table, id): no configured key reads it
    changed_meanwhile: int = 0  # erased or rewritten by someone else during the run: left as they are


def rotate_keys(batch_size: int = ROTATION_BATCH_SIZE) -> RotationReport:
    """Re-encrypts every personal_data and comment token with the newest key of PERSONAL_DATA_KEYS.

    Resumable batches rather than one transaction: each batch is committed, so the web keeps
    working during a long rotation (one transaction would hold every referral row until the end),
    and a run that stops halfway loses nothing — the tokens not yet rotated are still read with the
    older keys, which stay configured until the run ends without error, and running the command
    again finishes the job (rotating a token twice is harmless).

    Each token is written back only if it has not changed since it was read (a withdrawal of
    consent may erase it meanwhile: the erasure wins). A token no key can read is reported and left
    untouched — never destroyed: it may belong to a key removed too early, which can be put back.
    """
    report = RotationReport()
    for table, column, counter in ((Referral.__table__, "personal_data", "referrals"),
                                   (ReferralStep.__table__, "comment", "comments")):
        rotated = _rotate_column(table, column, report, batch_size)
        setattr(report, counter, rotated)
    return report


def _rotate_column(table, column_name: str, report: RotationReport, batch_size: int) -> int:
    column, id_column = table.c[column_name], table.c.id
    rotated, last_id = 0, 0
    while True:
        rows = db.session.execute(
            select(id_column, column).where(id_column > last_id, column.is_not(None))
            .order_by(id_column).limit(batch_size)).all()
        if not rows:
            return rotated
        for row_id, token in rows:
            try:
                new_token = crypto.rotate(token)
            except InvalidToken:
                report.unreadable.append((table.name, row_id))
                continue
            result = db.session.execute(
                update(table).where(id_column == row_id, column == token).values({column_name: new_token}))
            if result.rowcount == 1:
                rotated += 1
            else:
                report.changed_meanwhile += 1
        db.session.commit()
        last_id = rows[-1][0]
