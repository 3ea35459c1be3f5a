"""search log: only the words searched (no raw text, no email, phone or long number)

The raw `query` column becomes `words`, and the rows already there are converted: the folded text
they hold is cut into words, stop words removed, and anything that looks like an email address,
a phone number or a number of more than five digits is dropped. What this needs is inlined below
(the application's analyser may change later; this migration must not).

Revision ID: 0008_search_log_words
Revises: 0007_auth_sessions
Create Date: 2026-12-06 19:00:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_search_log_words'
down_revision = '0007_auth_sessions'
branch_labels = None
depends_on = None

BATCH = 1000
MAX_LENGTH = 200
MAX_DIGITS = 5
EMAIL = re.compile(r"[^\s@]*@[^\s@]*")
PHONE = re.compile(r"\+?\(?\d[\d\s().\-/]{6,}\d")
TOKEN = re.compile(r"[^\W_]+")
# French stop words of December 2026 (Whoosh 2.7.5's list and a few more), folded like the text.
STOP_WORDS = """
a ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions aurons
auront aux avaient avais avait avec avez aviez avions avons ayant ayante ayantes ayants ayez ayons c
ce ces cet cette chez d dans de des dont du elle elles en es est et etaient etais etait etant etante
etantes etants ete etee etees etes etiez etions eu eue eues eumes eurent eus eusse eussent eusses
eussiez eussions eut eutes eux fumes furent fus fusse fussent fusses fussiez fussions fut futes il
ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ont ou
par pas pour qu que qui s sa se sera serai seraient serais serait seras serez seriez serions serons
seront ses soient sois soit sommes son sont soyez soyons suis sur t ta te tes toi ton tu un une vos
votre vous y
""".split()


def _fold(text):
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


STOP = frozenset(STOP_WORDS)


def _phone(match):
    return " " if sum(c.isdigit() for c in match.group()) >= 8 else match.group()


def words(text):
    text = PHONE.sub(_phone, EMAIL.sub(" ", _fold(text or "")))
    kept, length = [], 0
    for word in TOKEN.findall(text):
        if word in STOP or sum(c.isdigit() for c in word) > MAX_DIGITS:
            continue
        length += len(word) + (1 if kept else 0)
        if length > MAX_LENGTH:
            break
        kept.append(word)
    return " ".join(kept)


def upgrade():
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('words', sa.String(length=200), nullable=False, server_default=''))

    connection = op.get_bind()
    log = sa.table('search_log', sa.column('id', sa.Integer), sa.column('query', sa.String),
                   sa.column('words', sa.String))
    last = 0
    while True:
        rows = connection.execute(sa.select(log.c.id, log.c.query).where(log.c.id > last)
                                  .order_by(log.c.id).limit(BATCH)).all()
        if not rows:
            break
        connection.execute(log.update().where(log.c.id == sa.bindparam('row_id'))
                           .values(words=sa.bindparam('row_words')),
                           [{'row_id': row_id, 'row_words': words(query)} for row_id, query in rows])
        last = rows[-1][0]

    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.drop_column('query')
        batch_op.alter_column('words', server_default=None)


def downgrade():
    # The raw text is gone for good: the words take its place.
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('query', sa.String(length=200), nullable=False, server_default=''))
    op.execute("UPDATE search_log SET query = words")
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.drop_column('words')
        batch_op.alter_column('query', server_default=None)
