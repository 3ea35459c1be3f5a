"""The search index: French analysis, query building, the queue and its single writer, rebuilds."""
import gc
import multiprocessing
import os
import shutil

import pytest
from sqlalchemy import func, select

from coordination.core.clock import PARIS
from coordination.directory import search, services
from coordination.directory.models import Place, SearchIndexQueue
from coordination.directory.search import documents, grid, storage
from coordination.extensions import db as _db
from coordination.scheduler import declared_jobs
from coordination.testing.factories import make_member, make_organisation, make_place, make_user


@pytest.fixture(autouse=True)
def empty_index(app):
    """Every test starts from an index of the (empty) database."""
    search.reindex()
    yield
    search.close_searchers()


def find(text="", **fields) -> list[str]:
    results = services.search_places(services.SearchRequest(text=text, **fields), log=False)
    assert results.index_status == "ok"
    return [hit.place.name for hit in results.hits]


def queued() -> list[int]:
    return list(_db.session.scalars(select(SearchIndexQueue.place_id).order_by(SearchIndexQueue.id)))


# --- analysis ------------------------------------------------------------------------------

def test_folding_lowercases_and_removes_accents_and_ligatures():
    assert search.fold("Démarches à l'Œuvre, Cæcilia, ÇA") == "demarches a l'oeuvre, caecilia, ca"


def test_words_split_on_letters_and_digits_and_drop_french_stop_words():
    assert search.words_of("Les démarches de la CAF, à Saint-Herblain (44800) : l'ordinateur") == [
        "demarches", "caf", "saint", "herblain", "44800", "ordinateur"]
    # stop words are matched before folding: « été » is one, « ete » typed without accent is not
    assert search.words_of("été") == []
    assert search.words_of("Œuvre cœur") == ["oeuvre", "coeur"]


def test_the_query_is_built_from_terms_never_parsed():
    query = search.TextQuery.parse('aide AND (démarches OR "caf") ordi*', literal=True)
    assert query.words == ("aide", "and", "demarches", "or", "caf", "ordi")
    text = str(query.whoosh_query(match_all=True))
    assert "words:ordi*" in text and "body:demarch" in text
    # « and », « or » and « caf » are whole words (3 letters or less), never stems
    assert "body:=and" in text and "body:=caf" in text
    # without mots=exacts, « démarches » and « caf » are needs: their services are searched too
    understood = search.TextQuery.parse('aide AND (démarches OR "caf") ordi*')
    assert [clause.need.term for clause in understood.needs] == ["démarches", "CAF"]


@pytest.fixture
def indexed_places():
    organisation = make_organisation("Association Les Connectés")
    plain = dict(services=[], fees=[], support_modes=[])
    places = [
        make_place(organisation, name="Point numérique de la mairie", summary="Démarches administratives en ligne",
                   **plain),
        make_place(organisation, name="Médiathèque Hermeland", commune="Saint-Herblain", postcode="44800",
                   address="1 rue François Rabelais", summary="Ateliers tablette", **plain),
        make_place(organisation, name="Atelier du Breil", description="Apprendre à utiliser un ordinateur", **plain),
        make_place(organisation, name="Maison de quartier", description="Prendre en main son smartphone", **plain),
        make_place(organisation, name="Cœur de ville connecté", summary="Permanences", **plain),
    ]
    search.reindex()
    return places


@pytest.mark.parametrize(("text", "expected"), [
    ("demarche", "Point numérique de la mairie"),
    ("DÉMARCHES administratives", "Point numérique de la mairie"),
    ("les démarches de la", "Point numérique de la mairie"),
    ("saint herblain", "Médiathèque Hermeland"),
    ("Saint-Herblain", "Médiathèque Hermeland"),
    ("44800", "Médiathèque Hermeland"),
    ("ordi", "Atelier du Breil"),
    ("ordinateurs", "Atelier du Breil"),
    ("smartphones", "Maison de quartier"),
    ("coeur", "Cœur de ville connecté"),
    ("cœur", "Cœur de ville connecté"),
    ("mediatheque", "Médiathèque Hermeland"),
])
def test_french_examples_find_their_place(indexed_places, text, expected):
    assert find(text) == [expected]


def plain(text):
    """French as typed in the code: the pages set it with non-breaking spaces and ’ (issue 17)."""
    if isinstance(text, list):
        return [plain(item) for item in text]
    return str(text).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")


def test_a_typo_gets_a_suggestion(indexed_places):
    assert search.suggest("smarphone") == "smartphone"
    # nothing for the typo: the page shows the places for the correction, and says so (issue 14)
    results = services.search_places(services.SearchRequest(text="smarphone"), log=False)
    assert [hit.place.name for hit in results.hits] == ["Maison de quartier"]
    assert results.suggestion is None
    assert "Aucun lieu pour « smarphone » : voici les résultats pour « smartphone »." in plain(results.messages)


def test_no_suggestion_for_known_words(indexed_places):
    results = services.search_places(services.SearchRequest(text="ordinateur"), log=False)
    assert results.total == 1 and results.suggestion is None


@pytest.mark.parametrize("text", [
    "AND", "OR", "NOT", "aide AND", "AND aide", '"', '"aide', 'aide"', '"aide démarches"', "*", "ordi*", "?",
    "(", ")", "(aide", "aide)", "((()))", "name:mairie", "body:", "[a TO z]", "{a TO z}", "aide~2", "aide^3",
    "\\", "+aide -mairie", "aide && mairie || x", "<script>", "'; DROP TABLE places; --", "%", "_", "x" * 5000,
    " ".join(["mot"] * 500), "\x00", "🙂",
])
def test_query_syntax_is_plain_text_and_never_raises(indexed_places, text):
    results = services.search_places(services.SearchRequest(text=text), log=False)
    assert results.index_status == "ok"


def test_operators_are_words_not_syntax(indexed_places):
    # « AND » is not an operator: with every word required, nothing has « and » in it...
    results = services.search_places(services.SearchRequest(text="démarches AND ordinateur"), log=False)
    # ...so the search falls back to the words that find places together (needs first), and names
    # the words it left out (issue 14)
    assert {hit.place.name for hit in results.hits} == {"Point numérique de la mairie"}
    assert results.dropped_words == ["and", "ordinateur"]
    assert ("Aucun lieu ne correspond à tous les mots : voici ceux qui correspondent à « démarches » "
            "(« and » et « ordinateur » ont été laissés de côté).") in plain(results.messages)


# --- the queue and the single writer -------------------------------------------------------

NEW_PLACE = {
    "name": "Espace Zola", "address": "2 rue de la Bottière", "postcode": "44300", "commune": "Nantes",
    "latitude": "47.2301", "longitude": "-1.52", "services": ["Maîtrise des outils numériques du quotidien"],
}


def test_an_edit_is_queued_then_searchable_once_the_queue_is_applied():
    coordinator = make_user(coordinator=True)
    organisation = make_organisation()
    place = services.create_place(organisation.id, NEW_PLACE, actor=coordinator)
    assert queued() == [place.id]
    assert find("zola") == []  # web requests never write the index
    assert search.apply_queue() == 1
    assert queued() == []
    assert find("zola") == ["Espace Zola"]

    services.update_place(place.id, {"name": "Espace Voltaire"}, actor=coordinator, expected_version=None)
    assert queued() == [place.id]
    search.apply_queue()
    assert find("zola") == [] and find("voltaire") == ["Espace Voltaire"]

    services.set_published(place.id, False, actor=coordinator)
    search.apply_queue()
    assert find("voltaire") == []

    services.set_published(place.id, True, actor=coordinator)
    search.apply_queue()
    assert find("voltaire") == ["Espace Voltaire"]

    services.confirm_place_accurate(place.id, actor=make_member(organisation))
    assert queued() == [place.id]
    search.apply_queue()

    services.delete_place(place.id, actor=coordinator)
    search.apply_queue()
    assert find("voltaire") == []
    assert queued() == []


def test_places_of_an_organisation_no_longer_active_are_removed(db):
    organisation = make_organisation()
    place = make_place(organisation, name="Espace Condorcet")
    search.queue_place_ids([place.id])
    search.apply_queue()
    assert find("condorcet") == ["Espace Condorcet"]
    organisation.status = "suspended"
    db.session.commit()
    search.queue_place_ids([place.id])
    search.apply_queue()
    assert find("condorcet") == []


def test_the_database_has_the_last_word_over_a_stale_index(db):
    place = make_place(make_organisation(), name="Espace Diderot")
    search.reindex()
    place.published = False
    db.session.commit()  # not queued: the index still has it
    assert find("diderot") == []


def test_a_locked_index_keeps_the_queue_for_the_next_run(monkeypatch):
    place = make_place(make_organisation(), name="Espace Hugo")
    search.queue_place_ids([place.id])
    root = storage._root()
    lock = storage.whoosh_index.open_dir(os.path.join(root, storage._read_pointer(root))).lock("WRITELOCK")
    assert lock.acquire(blocking=False)
    monkeypatch.setattr(storage, "WRITER_TIMEOUT", 0.1)
    try:
        assert search.apply_queue() == 0
        assert queued() == [place.id]
    finally:
        lock.release()
    assert search.apply_queue() == 1
    assert find("hugo") == ["Espace Hugo"]


def test_queueing_never_fails_the_save(monkeypatch, db):
    place = make_place(make_organisation())

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")
    monkeypatch.setattr(db.session, "execute", broken)
    search.queue_place_ids([place.id])  # logged, not raised
    monkeypatch.undo()
    assert queued() == []


def test_the_queue_job_is_declared(app):
    jobs = {job.id: job for job in declared_jobs(app)}
    assert jobs["search.apply_queue"].func == "coordination.directory.search:apply_queue"
    trigger = jobs["search.apply_queue"].trigger(PARIS)
    assert trigger.interval.total_seconds() == app.config["SEARCH_QUEUE_INTERVAL"]


def test_the_demo_seed_queues_its_places():
    from coordination.directory import demo
    demo.seed(if_empty=True, echo=lambda *args: None)
    assert len(queued()) > 10
    search.apply_queue()
    assert queued() == []
    assert services.search_places(services.SearchRequest(), log=False).total == search.public_place_count()


# --- rebuilds ------------------------------------------------------------------------------

def _wipe_index():
    root = storage._root()
    for entry in os.listdir(root):
        path = os.path.join(root, entry)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def test_a_deleted_index_says_it_is_rebuilding_and_the_job_rebuilds_it(indexed_places):
    assert find("ordinateur") == ["Atelier du Breil"]
    _wipe_index()
    results = services.search_places(services.SearchRequest(text="ordinateur"), log=False)
    assert results.index_status == "rebuilding"
    assert results.hits == [] and "La recherche est en cours de reconstruction" in results.messages[-1]
    assert not search.index_exists()
    search.apply_queue()
    assert search.index_exists()
    assert find("ordinateur") == ["Atelier du Breil"]


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # Whoosh leaves the damaged file open
def test_an_unreadable_index_is_rebuilt_not_a_crash(indexed_places):
    root = storage._root()
    live = os.path.join(root, storage._read_pointer(root))
    for entry in os.listdir(live):
        with open(os.path.join(live, entry), "wb") as file:
            file.write(b"\x00garbage")
    search.close_searchers()
    results = services.search_places(services.SearchRequest(text="ordinateur"), log=False)
    assert results.index_status == "rebuilding"
    search.apply_queue()
    assert find("ordinateur") == ["Atelier du Breil"]
    gc.collect()


def test_an_index_of_another_schema_version_counts_as_missing(indexed_places):
    root = storage._root()
    with open(os.path.join(root, storage.POINTER), "w") as file:
        file.write("ix-v0-old")
    assert not search.index_exists()
    search.apply_queue()
    assert find("ordinateur") == ["Atelier du Breil"]


def test_reindex_builds_a_new_directory_and_swaps_it_in(indexed_places, runner):
    root = storage._root()
    before = storage._read_pointer(root)
    assert find("ordinateur") == ["Atelier du Breil"]  # a searcher is open on the old directory
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Index reconstruit : 5 lieux publiés." in plain(result.output)
    after = storage._read_pointer(root)
    assert after != before
    assert sorted(e for e in os.listdir(root) if e.startswith("ix-")) == [after]  # old one removed
    assert find("ordinateur") == ["Atelier du Breil"]  # the open searcher followed the swap
    assert find("smartphone") == ["Maison de quartier"]


def test_apply_queue_command(runner, db):
    place = make_place(make_organisation(), name="Espace Rousseau")
    search.queue_place_ids([place.id])
    result = runner.invoke(args=["search", "apply-queue"])
    assert result.exit_code == 0, result.output
    assert "1 lieu mis à jour dans l'index." in plain(result.output)
    assert db.session.scalar(select(func.count(SearchIndexQueue.id))) == 0
    assert find("rousseau") == ["Espace Rousseau"]


def test_refresh_after_many_small_commits_keeps_every_document():
    organisation = make_organisation()
    for i in range(12):
        place = make_place(organisation, name=f"Relais {i}", latitude=47.2 + i / 1000)
        search.queue_place_ids([place.id])
        search.apply_queue()
        assert len(find("relais")) == i + 1


# --- rebuilds racing with the queue, with each other, with a damaged index ------------------

def test_an_edit_applied_while_a_rebuild_reads_the_database_is_not_undone(monkeypatch):
    from coordination.directory.models import Place
    place = make_place(make_organisation(), name="Espace Ancien")
    search.reindex()
    monkeypatch.setattr(storage, "WRITER_TIMEOUT", 0.1)
    real_rebuild = storage.rebuild
    applied = []

    def edit_between_the_select_and_the_build(places, *args, **kwargs):
        places = list(places)  # what the rebuild's SELECT read...
        _db.session.expunge_all()  # ...stays as it was read
        edited = _db.session.get(Place, place.id)
        edited.name = "Espace Nouveau"
        _db.session.commit()
        search.queue_place_ids([place.id])
        applied.append(search.apply_queue())  # the scheduler runs meanwhile
        return real_rebuild(places, *args, **kwargs)
    monkeypatch.setattr(storage, "rebuild", edit_between_the_select_and_the_build)
    search.reindex()
    monkeypatch.undo()
    assert applied == [0] and queued() == [place.id]  # the rebuild held the lock: the edit waited
    assert search.apply_queue() == 1
    assert find("nouveau") == ["Espace Nouveau"] and find("ancien") == []


def test_a_rebuild_gives_up_when_the_live_index_stays_locked(indexed_places, monkeypatch):
    root = storage._root()
    before = storage._read_pointer(root)
    lock = storage.whoosh_index.open_dir(os.path.join(root, before)).lock("WRITELOCK")
    assert lock.acquire(blocking=False)
    monkeypatch.setattr(storage, "REBUILD_TIMEOUT", 0.1)
    try:
        with pytest.raises(search.IndexBusy):
            search.reindex()
    finally:
        lock.release()
    assert storage._read_pointer(root) == before
    assert sorted(e for e in os.listdir(root) if e.startswith("ix-")) == [before]


def test_one_rebuild_at_a_time(indexed_places, monkeypatch):
    monkeypatch.setattr(storage, "REBUILD_TIMEOUT", 0.1)
    nested = []

    def start_another_rebuild(_step):
        if not nested:
            try:
                nested.append(search.reindex())
            except Exception as error:  # what the second rebuild did is the assertion
                nested.append(error)
    assert search.reindex(progress=start_another_rebuild) == 5
    assert len(nested) == 1 and isinstance(nested[0], search.IndexBusy)
    root = storage._root()
    assert sorted(e for e in os.listdir(root) if e.startswith("ix-")) == [storage._read_pointer(root)]
    assert find("ordinateur") == ["Atelier du Breil"]


def test_the_cleanup_rereads_current_and_keeps_what_it_names(indexed_places):
    root = storage._root()
    live = storage._read_pointer(root)
    stale = f"{storage.DIR_PREFIX}stale"
    os.makedirs(os.path.join(root, stale))
    storage._remove_old_indexes(root, built="ix-v1-just-built")  # CURRENT names another directory now
    assert sorted(e for e in os.listdir(root) if e.startswith("ix-")) == [live]
    assert find("ordinateur") == ["Atelier du Breil"]


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # Whoosh leaves the damaged file open
def test_a_damaged_segment_is_rebuilt_by_the_queue_job(indexed_places):
    root = storage._root()
    name = storage._read_pointer(root)
    # the segments' files (terms, postings, columns), not the table of contents (.toc)
    segments = [e for e in os.listdir(os.path.join(root, name)) if e.endswith((".trm", ".pst", ".col"))]
    assert segments
    for entry in segments:  # the table of contents is intact: only a segment is damaged
        path = os.path.join(root, name, entry)
        size = os.path.getsize(path)
        with open(path, "wb") as file:
            file.write(b"\x00garbage" * (size // 8 + 1))
    assert search.index_exists()
    place = make_place(make_organisation(), name="Espace Diderot")
    search.queue_place_ids([place.id])
    search.close_searchers()
    search.apply_queue()  # logs the failure and rebuilds instead of raising at every run
    assert storage._read_pointer(root) != name
    search.apply_queue()
    assert queued() == []
    assert find("ordinateur") == ["Atelier du Breil"] and find("diderot") == ["Espace Diderot"]
    gc.collect()


def test_the_directory_prefix_names_the_schema_and_the_vocabularies():
    from coordination.vocabularies import PLACE_VOCABULARIES
    assert storage.DIR_PREFIX == storage.index_prefix(PLACE_VOCABULARIES)
    assert storage.DIR_PREFIX.startswith(f"ix-v{storage.SCHEMA_VERSION}-")
    key = next(iter(PLACE_VOCABULARIES))
    values, label, column = PLACE_VOCABULARIES[key]
    for changed in ((*values, "Une valeur de plus"), tuple(reversed(values))):
        assert storage.index_prefix({**PLACE_VOCABULARIES, key: (changed, label, column)}) != storage.DIR_PREFIX


def test_an_index_built_with_other_vocabularies_counts_as_missing(indexed_places, monkeypatch):
    from coordination.vocabularies import PLACE_VOCABULARIES
    root = storage._root()
    key = next(iter(PLACE_VOCABULARIES))
    values, label, column = PLACE_VOCABULARIES[key]
    other = storage.index_prefix({**PLACE_VOCABULARIES, key: ((*values, "Une valeur de plus"), label, column)})
    monkeypatch.setattr(storage, "DIR_PREFIX", other)  # the code now runs with other vocabularies
    assert not search.index_exists()
    results = services.search_places(services.SearchRequest(text="ordinateur"), log=False)
    assert results.index_status == "rebuilding"
    search.apply_queue()
    assert storage._read_pointer(root).startswith(other)
    assert find("ordinateur") == ["Atelier du Breil"]


def test_documents_with_fewer_facet_masks_never_break_a_search(monkeypatch):
    real_document = documents.document
    monkeypatch.setattr(documents, "document", lambda place: {**real_document(place), "masks": ()})
    make_place(make_organisation(), name="Espace Sand", fees=["Gratuit"])
    search.reindex()
    assert find("sand") == ["Espace Sand"]
    assert find("sand", facets={"fees": ["Gratuit"]}) == []


def test_cli_reindex_says_in_french_when_the_index_is_busy(runner, monkeypatch):
    from coordination.directory import search as search_module

    def busy(**kwargs):
        raise search_module.IndexBusy("locked")
    monkeypatch.setattr(search_module, "reindex", busy)
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 1
    assert "en cours d'écriture par un autre processus" in plain(result.output)
    assert "Traceback" not in result.output


def test_a_rebuild_in_several_processes_answers_like_a_rebuild_in_one(db):
    """More places than one batch of the parallel writer (100 documents), so each process writes
    a segment of its own: the searches must not see the difference."""
    organisation = make_organisation()
    words = ("ordinateur", "smartphone", "démarches", "tablette", "emploi")
    for i in range(260):
        db.session.add(Place(
            organisation=organisation, name=f"Relais {words[i % 5]} {i}", address="1 place du Commerce",
            postcode="44000", commune="Nantes", latitude=47.2 + (i % 40) / 200, longitude=-1.55 + (i // 40) / 100,
            description=f"Aide {words[(i * 7) % 5]}", services=[["Aide aux démarches administratives"], []][i % 2],
            fees=["Gratuit"] if i % 3 else [], published=True))
    db.session.commit()
    asked = [dict(text="ordinateur"), dict(text="aide tablette"), dict(text="relais", where="44000"),
             dict(text="", where="Nantes", facets={"fees": ["Gratuit"]}), dict(text="emploi", page=2)]

    def answers():
        results = [services.search_places(services.SearchRequest(**fields), log=False) for fields in asked]
        return [(r.total, [(hit.place.name, hit.distance_km) for hit in r.hits], r.facets) for r in results]

    search.reindex(processes=1)
    alone = answers()
    assert search.reindex(processes=2) == 260
    segments = grid._live().current().leaves
    assert len(segments) == 2
    assert answers() == alone
    assert all(total for total, _hits, _facets in alone)


def _network_of(db, count):
    organisation = make_organisation()
    for i in range(count):
        db.session.add(Place(
            organisation=organisation, name=f"Relais {i}", address="1 place du Commerce", postcode="44000",
            commune="Nantes", latitude=47.2 + i / 1000, longitude=-1.55, published=True))
    db.session.commit()


def test_a_parallel_rebuild_whose_process_fails_swaps_nothing_in(db, monkeypatch):
    """A process of the parallel writer dies on a document (here one it cannot analyse: a number
    where text is expected); Whoosh still commits the others'. The rebuild must refuse the swap."""
    _network_of(db, 250)
    search.reindex()
    before = storage._read_pointer(storage._root())
    real_document = documents.document

    def one_bad_document(place):
        doc = real_document(place)
        return {**doc, "name": 12345} if place.name == "Relais 180" else doc

    monkeypatch.setattr(documents, "document", one_bad_document)
    with pytest.raises(search.IndexIncomplete):
        search.reindex(processes=2)
    assert storage._read_pointer(storage._root()) == before
    assert sorted(e for e in os.listdir(storage._root()) if e.startswith("ix-")) == [before]
    assert find("relais", page=1) and services.search_places(
        services.SearchRequest(text="relais"), log=False).total == 250


def test_a_parallel_rebuild_failing_in_the_reading_process_stops_its_processes(db, monkeypatch):
    """An error while the places are read: the analysing processes are stopped (they would wait
    for documents forever, holding the rebuild's locks), and a new rebuild can run at once."""
    _network_of(db, 250)
    real_document = documents.document

    def failing_document(place):
        if place.name == "Relais 200":
            raise RuntimeError("lecture interrompue")
        return real_document(place)

    monkeypatch.setattr(documents, "document", failing_document)
    with pytest.raises(RuntimeError, match="lecture interrompue"):
        search.reindex(processes=2)
    assert not [child for child in multiprocessing.active_children() if child.is_alive()]
    monkeypatch.setattr(documents, "document", real_document)
    assert search.reindex(processes=2) == 250


def test_cli_reindex_takes_a_number_of_processes_and_refuses_zero(indexed_places, runner):
    result = runner.invoke(args=["search", "reindex", "--processus", "1"])
    assert result.exit_code == 0, result.output
    assert "Index reconstruit : 5 lieux publiés." in plain(result.output)
    before = storage._read_pointer(storage._root())
    refused = runner.invoke(args=["search", "reindex", "--processus", "0"])
    assert refused.exit_code == 2 and "--processus" in refused.output
    assert storage._read_pointer(storage._root()) == before
