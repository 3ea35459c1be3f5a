"""Helpers shared by the account tests."""
import html
import re

from sqlalchemy import select

from tests.french import plain

LINK = re.compile(r"http://localhost(/\S+)")


def link_in(message) -> str:
    """The first link of a queued message, as a path the test client can follow."""
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def audit_actions(db, obj_type=None) -> list[str]:
    from coordination.audit import AuditRecord
    query = select(AuditRecord.action).order_by(AuditRecord.id)
    if obj_type:
        query = query.where(AuditRecord.object_type == obj_type)
    return list(db.session.scalars(query))


def text(response) -> str:
    """The page, with HTML entities decoded (Jinja writes ' as &#39;), its French typography undone (``plain``)."""
    return plain(html.unescape(response.get_data(as_text=True)))
