"""Account tests: each request loads its user afresh.

The shared `_clean_database` fixture keeps one application context pushed for the whole test, so
requests reuse it and Flask-Login's cached `g._login_user` would leak from one request (or one
client) to the next. Real requests each get their own context; this restores that behaviour."""
import pytest
from flask import g, request_started


def _forget_cached_user(sender, **extra):
    g.pop("_login_user", None)


@pytest.fixture(autouse=True)
def _fresh_user_per_request(app):
    request_started.connect(_forget_cached_user)
    yield
    request_started.disconnect(_forget_cached_user)
