"""The index on disk: its folder and ``CURRENT`` pointer, the locks, a full rebuild in a new
directory swapped in atomically, and the single writer's changes (see the package's docstring)."""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from coordination.directory.search import documents
from coordination.directory.search.analysis import ACRONYMS
from coordination.vocabularies import PLACE_VOCABULARIES

log = logging.getLogger(__name__)

# 2: singular/masculine before stemming, whole short words and acronyms (issue 14); 3: the network's
# own labels as a facet (issue 18)
SCHEMA_VERSION = 3
POINTER = "CURRENT"
REBUILD_LOCK = "REBUILD.lock"
REBUILD_TIMEOUT = 30.0  # seconds a rebuild waits for another rebuild, then for the live index's writer
WRITER_TIMEOUT = 5.0


class IndexUnavailable(Exception):
    """The index is missing or unreadable: it is being rebuilt (the scheduler job does it)."""


class IndexIncomplete(Exception):
    """A rebuild wrote fewer documents than it was given (an indexing process failed): nothing was
    swapped in, the live index is unchanged."""


class IndexBusy(Exception):
    """Nothing was rebuilt: another rebuild is running, or the live index stayed locked by its
    writer past the timeout."""



def index_prefix(vocabularies) -> str:
    """``ix-v<schema>-<hash>-``: the hash covers the vocabularies, their values and their order (the
    facet masks and KEYWORD positions of a document depend on them), so that an index built with
    other vocabularies counts as missing and is rebuilt, never read with the wrong masks."""
    described = json.dumps([[key, list(values)] for key, (values, _label, _column) in vocabularies.items()],
                           ensure_ascii=False)
    exact = " ".join(sorted(ACRONYMS))  # the analysis keeps them whole: other acronyms, other index
    digest = hashlib.sha256(f"{SCHEMA_VERSION}\n{described}\n{exact}".encode()).hexdigest()[:10]
    return f"ix-v{SCHEMA_VERSION}-{digest}-"


DIR_PREFIX = index_prefix(PLACE_VOCABULARIES)


# --- the index on disk ---------------------------------------------------------------------

def _root() -> str:
    return current_app.config["SEARCH_INDEX_DIR"]


def _read_pointer(root: str) -> str | None:
    """The live index directory, or None when missing, from another schema or unreadable."""
    try:
        with open(os.path.join(root, POINTER), encoding="utf-8") as file:
            name = file.read().strip()
    except OSError:
        return None
    if not name.startswith(DIR_PREFIX) or "/" in name or not os.path.isdir(os.path.join(root, name)):
        return None
    return name


def index_exists() -> bool:
    root = _root()
    name = _read_pointer(root)
    if name is None:
        return False
    try:
        return whoosh_index.exists_in(os.path.join(root, name))
    except Exception:  # a damaged table of contents: the index has to be rebuilt
        log.warning("search index %s unreadable", name, exc_info=True)
        return False


def _write_pointer(root: str, name: str) -> None:
    temporary = os.path.join(root, f"{POINTER}.{uuid.uuid4().hex}.tmp")
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(name)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, os.path.join(root, POINTER))


@dataclass(frozen=True)
class RebuildLock:
    """Held by a rebuild: the root's rebuild lock and the write lock of ``live`` (None when there
    was no readable live index)."""
    root: str
    live: str | None


def _writelock(path: str):
    """The write lock of the index in ``path`` (the one ``ix.writer()`` takes), without opening the
    index: it can be taken on an index whose table of contents is damaged."""
    return FileStorage(path).lock(f"{whoosh_index._DEF_INDEX_NAME}_WRITELOCK")


def _flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def rebuild_lock(timeout: float | None = None):
    """Everything a rebuild must hold, taken BEFORE it reads the database:

    - ``REBUILD.lock`` in the index root (fcntl): one rebuild at a time, across processes, so that
      no rebuild removes a directory another one is writing;
    - the live index's write lock, so that the queue job cannot write an edit to the old index after
      the rebuild's SELECT (the rebuild would swap in the version it read; the edit waits in the
      queue and is applied to the new index).

    Raises IndexBusy when either cannot be had within ``timeout`` seconds: rebuilding anyway could
    undo an edit."""
    timeout = REBUILD_TIMEOUT if timeout is None else timeout
    root = _root()
    os.makedirs(root, exist_ok=True)
    fd = os.open(os.path.join(root, REBUILD_LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _wait_for(lambda: _flock(fd), timeout):
            raise IndexBusy("another rebuild of the search index is running")
        live = _read_pointer(root)
        writelock = None
        if live is not None:
            writelock = _writelock(os.path.join(root, live))
            if not _acquire(writelock, timeout):
                raise IndexBusy(f"the search index {live} stayed locked by its writer")
        try:
            yield RebuildLock(root, live)
        finally:
            if writelock is not None:
                writelock.release()
    finally:
        os.close(fd)  # releases the rebuild lock


def default_processes() -> int:
    """The indexing processes of a full rebuild from the command line: one per usable core, 4 at most."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


LIMIT_MB = 128  # per writing process; 400 saves 8 % of a 100,000-place rebuild for 2.2 times the memory


def _writer(ix, processes: int):
    # compound=False: one file per part of a segment. Whoosh reads a compound segment through a
    # BytesIO that copies the whole file into each web worker's heap (47 MB at 100,000 places);
    # plain files are read through the operating system's cache, shared by the workers.
    if processes <= 1:
        return ix.writer(limitmb=LIMIT_MB, compound=False)
    # Analysis is most of the cost and runs in the sub-processes; each writes its own segment, kept
    # as it is (multisegment): merging them would be single-threaded and cost what was saved.
    return ix.writer(procs=processes, limitmb=LIMIT_MB, multisegment=True, compound=False)


def _stop(writer) -> None:
    """Cancels a writer. A parallel writer's processes are stopped too: Whoosh only flags them, and
    they would wait for documents forever, holding the rebuild's inherited locks."""
    for task in getattr(writer, "tasks", ()):
        task.terminate()
        task.join()
    writer.cancel()


def _document_count(path: str) -> int:
    ix = whoosh_index.open_dir(path)
    try:
        return ix.doc_count_all()
    finally:
        ix.close()


def rebuild(places: Iterable, *, lock: RebuildLock, progress: Callable[[int], None] | None = None,
            processes: int = 1) -> int:
    """Writes a fresh index of ``places`` in a new directory, then swaps it in atomically.

    ``lock`` comes from ``rebuild_lock()``, taken before ``places`` was read (see ``reindex``).
    ``processes`` > 1 analyses the documents in that many forked processes: only from a
    single-threaded caller (the command line), never from the scheduler's threads."""
    root = lock.root
    name = f"{DIR_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path = os.path.join(root, name)
    try:
        os.makedirs(path)
        ix = whoosh_index.create_in(path, documents.SCHEMA)
        writer = _writer(ix, processes)
        count = 0
        try:
            for place in places:
                writer.add_document(**documents.document(place))
                count += 1
                if progress is not None:
                    progress(1)
        except BaseException:
            _stop(writer)
            raise
        writer.commit(optimize=processes <= 1)
        ix.close()
        # A parallel writer whose process died (killed for memory, a document it could not analyse)
        # still commits, without that process's documents: never swap in an incomplete index.
        written = _document_count(path)
        if written != count:
            raise IndexIncomplete(f"{written} documents written out of {count}: an indexing process failed")
        _write_pointer(root, name)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    _remove_old_indexes(root, built=name)
    log.info("search index rebuilt: %s documents in %s", count, name)
    return count


def _remove_old_indexes(root: str, *, built: str) -> None:
    """Removes the index directories but the one ``CURRENT`` names (read again here, whatever its
    prefix) and the one just built. Called with the rebuild lock held: no other is being built."""
    try:
        with open(os.path.join(root, POINTER), encoding="utf-8") as file:
            current = file.read().strip()
    except OSError:
        current = None
    for entry in os.listdir(root):
        if entry.startswith("ix-") and entry not in (current, built) and os.path.isdir(os.path.join(root, entry)):
            shutil.rmtree(os.path.join(root, entry), ignore_errors=True)


def _wait_for(attempt: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if attempt():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _acquire(lock, timeout: float) -> bool:
    return _wait_for(lambda: lock.acquire(blocking=False), timeout)


def apply_changes(places: Iterable, removed_ids: Iterable[int], *, timeout: float | None = None) -> bool:
    """Writes the documents of ``places`` and removes ``removed_ids``, in one commit.
    False when the index is missing, locked by another writer past ``timeout``, or swapped meanwhile
    (the caller keeps its queue and tries again)."""
    root = _root()
    name = _read_pointer(root)
    if name is None:
        return False
    try:
        ix = whoosh_index.open_dir(os.path.join(root, name))
        writer = ix.writer(timeout=WRITER_TIMEOUT if timeout is None else timeout, compound=False)
    except LockError:
        return False
    except Exception:
        if _read_pointer(root) != name:  # swapped and removed by a rebuild meanwhile
            return False
        raise
    try:
        if _read_pointer(root) != name:  # a rebuild swapped the index while we waited
            writer.cancel()
            return False
        for place in places:
            writer.update_document(**documents.document(place))
        for place_id in removed_ids:
            writer.delete_by_term("id", str(place_id))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return True
