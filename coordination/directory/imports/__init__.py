"""The import: reading a directory file in and writing its places (issue 16, item 5).

``plan.py`` checks the rows and writes them in batches through the places' one write path
(``directory.services.writes``); ``importing.py`` reads a file into rows and drives the command line and the upload page;
``parsing.py``, ``profiles.py``, ``france_services.py`` read the files; ``staging.py`` keeps an
upload between its check and its application; ``mapping.py`` and ``views.py`` are the pages;
``profils/`` holds the shipped mapping profiles.

What other code uses of the plan is named here."""
from coordination.directory.imports.plan import (ACCEPTED, ERROR, PENDING, PUBLICATIONS, UNKNOWN_PIVOT,
                                                 UNKNOWN_PIVOT_ORGANISATION, WARNING, ImportPlan, ImportReport,
                                                 ImportRow, Problem, apply_import, name_words, plan_import,
                                                 similar_names)

__all__ = ["ACCEPTED", "ERROR", "PENDING", "PUBLICATIONS", "UNKNOWN_PIVOT", "UNKNOWN_PIVOT_ORGANISATION", "WARNING",
           "ImportPlan", "ImportReport", "ImportRow", "Problem", "apply_import", "name_words", "plan_import",
           "similar_names"]
