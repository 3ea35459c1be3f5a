"""The address of a coordination list (issue 18): its search, filters, sort and page are GET arguments,
so a list can be bookmarked and shared. ``list_args`` reads them for the view; ``list_url`` (a template
global) builds the address of the same list with some of them changed, keeping the others."""
from dataclasses import dataclass

from flask import request, url_for
from jinja2 import pass_context

from coordination.core.validators import collapse

QUERY_MAX = 100


@dataclass(frozen=True)
class ListArgs:
    query: str  # ?q=
    page: int  # ?page=
    sort: str | None  # ?tri=
    descending: bool  # ?ordre=desc

    def service(self) -> dict:
        """The keyword arguments every list service takes."""
        return {"query": self.query, "page": self.page, "sort": self.sort, "descending": self.descending}


def list_args() -> ListArgs:
    page = request.args.get("page", type=int) or 1
    return ListArgs(query=collapse(request.args.get("q", ""))[:QUERY_MAX], page=max(1, page),
                    sort=request.args.get("tri") or None, descending=request.args.get("ordre") == "desc")


@pass_context
def list_url(context, **changes) -> str:
    """This list's address with ``changes`` (None removes an argument); any change other than the page
    goes back to page 1. A page rendered again after a refused POST (an action bar's errors) names its
    list with the template variable ``list_endpoint``: its links lead back to the list, not to the POST."""
    endpoint = context.get("list_endpoint") or request.endpoint
    view_args = (request.view_args or {}) if endpoint == request.endpoint else {}
    source = request.args if request.method == "GET" else {}
    args = {key: value for key, value in source.items() if key != "page" or "page" in changes}
    for key, value in changes.items():
        if value is None or value == "" or (key == "page" and value == 1):
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(endpoint, **view_args, **args)


def sort_changes(page, key: str) -> dict:
    """The arguments of a column header's link: sort by ``key``, the other way round when it is the
    current sort."""
    again = page.sort == key and not page.descending
    return {"tri": key, "ordre": "desc" if again else None, "page": None}
