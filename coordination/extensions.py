"""Unbound extension objects, initialised by create_app."""
import sqlite3

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints so that Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Flask-Limiter's own headers are off: it would put Retry-After on every limited answer, 200s
# included. coordination.security.rate_limit_headers sends Retry-After on 429 only, and the
# X-RateLimit-* headers on the API's answers.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


@event.listens_for(Engine, "connect")
def _sqlite_write_ahead_log(dbapi_connection, _connection_record):
    """SQLite only: the write-ahead log, so that the web workers' reads never wait for a writer
    (the scheduler, a search log) nor the reverse, and a commit costs one fsync instead of three.
    ``synchronous`` stays FULL: a committed referral survives a power cut."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            # The switch (once: the mode is kept in the file) needs the database to itself; while
            # another process writes, this connection works in the old mode and a later one switches.
            pass
        finally:
            cursor.close()
