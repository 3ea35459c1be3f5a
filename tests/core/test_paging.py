"""core.paging: what a page of a long list tells its reader."""
from coordination.core.paging import Page


def test_a_page_knows_where_it_is():
    page = Page(items=list(range(25)), number=2, size=25, total=120, sort="nom")
    assert (page.pages, page.first, page.last, page.has_previous, page.has_next) == (5, 26, 50, True, True)
    empty = Page(items=[], number=1, size=25, total=0, sort="nom")
    assert (empty.pages, empty.first, empty.last, empty.has_previous, empty.has_next) == (1, 0, 0, False, False)


def test_the_pager_leaves_out_the_far_numbers():
    assert Page([], 1, 10, 30, "nom").numbers() == [1, 2, 3]
    assert Page([], 10, 10, 200, "nom").numbers() == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert Page([], 1, 10, 200, "nom").numbers() == [1, 2, 3, None, 20]
