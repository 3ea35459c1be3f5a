"""The searcher of a process and what it keeps in memory: per segment, the place ids, coordinates
and facet masks, and a grid of 0.1° cells; the places within a radius of a point."""
from __future__ import annotations

import logging
import math
import os
import threading
from array import array
from dataclasses import dataclass

from whoosh import index as whoosh_index

from coordination.directory.search.documents import FACETS
from coordination.directory.search.storage import IndexUnavailable, _read_pointer, _root

log = logging.getLogger(__name__)

CELL_DEGREES = 0.1
EARTH_RADIUS_KM = 6371.0088


# --- the searcher and what is kept in memory -----------------------------------------------

@dataclass
class _Segment:
    """What a search needs of one segment without reading the index: per local docnum the place
    id, coordinates and facet masks, and the grid of cells."""
    place_ids: list[int]
    lats: array
    lons: array
    xyz: array  # per docnum, the point on the unit sphere (x, y, z): distances without trigonometry
    masks: list[tuple[int, ...]]
    grid: dict[tuple[int, int], list[int]]


_NO_MASKS = (0,) * len(FACETS)


def _unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES))


def _load_segment(reader) -> _Segment:
    total = reader.doc_count_all()
    place_ids, masks = [0] * total, [()] * total
    lats, lons = array("d", [math.nan]) * total, array("d", [math.nan]) * total
    xyz = array("d", [math.nan]) * (3 * total)
    grid: dict[tuple[int, int], list[int]] = {}
    for docnum in range(total):
        if reader.is_deleted(docnum):
            continue
        stored = reader.stored_fields(docnum)
        place_ids[docnum] = int(stored["id"])
        # one mask per facet, always (an empty vocabulary is 0): counts read them by position
        masks[docnum] = (tuple(stored.get("masks") or ()) + _NO_MASKS)[:len(FACETS)]
        lat, lon = stored.get("lat"), stored.get("lon")
        if lat is not None and lon is not None:
            lats[docnum], lons[docnum] = lat, lon
            xyz[3 * docnum:3 * docnum + 3] = array("d", _unit_vector(lat, lon))
            grid.setdefault(_cell(lat, lon), []).append(docnum)
    return _Segment(place_ids, lats, lons, xyz, masks, grid)


class _Live:
    """The searcher of one index root, shared by the threads of a process."""

    def __init__(self, root: str):
        self.root = root
        self.lock = threading.RLock()
        self.name: str | None = None
        self.ix = None
        self.searcher = None
        self.segments: dict[str, _Segment] = {}
        self.leaves: list = []  # (subsearcher, offset, segment reader, _Segment)

    def _close(self):
        if self.searcher is not None:
            try:
                self.searcher.close()
            except Exception:  # closing a broken searcher must not prevent the reopen
                log.debug("closing the old searcher failed", exc_info=True)
        self.searcher = self.ix = self.name = None
        self.segments, self.leaves = {}, []

    def _index_leaves(self):
        leaves, keep = [], {}
        for subsearcher, offset in self.searcher.leaf_searchers():
            reader = subsearcher.reader()
            key = reader.segment().segment_id() if hasattr(reader, "segment") and reader.segment() else None
            # Documents deleted since a segment was loaded stay in its arrays and grid: readers
            # skip them (is_deleted), so a refresh only loads the segments it has not seen.
            segment = self.segments.get(key) if key else None
            if segment is None:
                segment = _load_segment(reader)
            if key:
                keep[key] = segment
            leaves.append((subsearcher, offset, reader, segment))
        self.segments, self.leaves = keep, leaves

    def _open(self, name: str):
        self._close()  # another directory: nothing to reuse
        self.ix = whoosh_index.open_dir(os.path.join(self.root, name))
        self.searcher = self.ix.searcher()
        self.name = name
        self._index_leaves()

    def current(self):
        """Opens or refreshes the searcher; raises IndexUnavailable."""
        name = _read_pointer(self.root)
        if name is None:
            self._close()
            raise IndexUnavailable()
        try:
            if name != self.name or self.searcher is None:
                self._open(name)
            elif not self.searcher.up_to_date():
                # Not Searcher.refresh(): with reuse, Whoosh-Reloaded 2.7.5 keeps the readers of
                # segments merged away (every document twice). A new searcher reads the new table of
                # contents; the coordinates of segments already seen stay cached by segment id.
                old, self.searcher = self.searcher, self.ix.searcher()
                self._index_leaves()
                old.close()
        except Exception as error:
            log.warning("search index unreadable: %s", error)
            self._close()
            raise IndexUnavailable() from error
        return self


_LIVE: dict[str, _Live] = {}
_LIVE_LOCK = threading.Lock()


def _live() -> _Live:
    root = _root()
    with _LIVE_LOCK:
        live = _LIVE.get(root)
        if live is None:
            live = _LIVE[root] = _Live(root)
    return live


def close_searchers() -> None:
    """Forgets the open searchers (tests, after removing an index directory)."""
    with _LIVE_LOCK:
        for live in _LIVE.values():
            with live.lock:
                live._close()
        _LIVE.clear()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _cells_around(lat: float, lon: float, radius_km: float) -> list[tuple[int, int]]:
    dlat = radius_km / 111.19
    dlon = radius_km / (111.19 * max(math.cos(math.radians(lat)), 0.01))
    (i0, j0), (i1, j1) = _cell(lat - dlat, lon - dlon), _cell(lat + dlat, lon + dlon)
    return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]


def _nearby(segment: _Segment, reader, lat: float, lon: float, radius_km: float) -> list[tuple[int, float]]:
    """(local docnum, distance) of the segment's documents within the radius, by docnum.
    Compares chords on the unit sphere (three products, no trigonometry per place); the distance
    along the sphere, 2R·asin(chord/2), is the haversine distance, computed only for the places kept."""
    found = []
    xyz = segment.xyz
    px, py, pz = _unit_vector(lat, lon)
    half_angle = min(radius_km / (2 * EARTH_RADIUS_KM), math.pi / 2)
    max_chord2 = (2 * math.sin(half_angle)) ** 2
    for cell in _cells_around(lat, lon, radius_km):
        for docnum in segment.grid.get(cell, ()):
            at = 3 * docnum
            dx, dy, dz = xyz[at] - px, xyz[at + 1] - py, xyz[at + 2] - pz
            chord2 = dx * dx + dy * dy + dz * dz
            if chord2 <= max_chord2:
                found.append((docnum, 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(chord2) / 2))))
    found.sort()
    if reader.has_deletions():
        found = [(d, km) for d, km in found if not reader.is_deleted(d)]
    return found
