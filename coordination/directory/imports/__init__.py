"""The import: reading a directory file in and writing its places (issue 16, item 5).

``reading.py`` reads a file into rows (``rows.py`` reads one record; ``parsing.py``, ``profiles.py``,
``france_services.py`` help it); ``plan.py`` checks the rows and writes them in batches through the
places' one write path (``directory.services.writes``); ``importing.py`` is the use case
(``check_file``, ``apply_file``) that ``cli.py`` (``flask opendata import``) and the upload page call;
``report.py`` holds the lines of their report; ``staging.py`` keeps an upload between its check and
its application; ``mapping.py`` and ``views.py`` are the pages; ``profils/`` holds the shipped mapping
profiles.

What other code uses of the import is named here."""
from coordination.directory.imports.plan import (ACCEPTED, ERROR, PENDING, PUBLICATIONS, UNKNOWN_PIVOT,
                                                 UNKNOWN_PIVOT_ORGANISATION, WARNING, ImportPlan, ImportReport,
                                                 ImportRow, Problem, apply_import, name_words, plan_import,
                                                 similar_names)
from coordination.directory.imports.reading import (UNKNOWN_FORMAT, ReadResult, raw_records, read_bytes, read_path,
                                                    stream_path)
from coordination.directory.imports.rows import personal_email
from coordination.directory.imports.importing import Outcome, apply_file, check_file, too_big
from coordination.directory.imports.report import problem_line, problem_where, report_sections, summary_lines

__all__ = ["ACCEPTED", "ERROR", "PENDING", "PUBLICATIONS", "UNKNOWN_FORMAT", "UNKNOWN_PIVOT",
           "UNKNOWN_PIVOT_ORGANISATION", "WARNING", "ImportPlan", "ImportReport", "ImportRow", "Outcome", "Problem",
           "ReadResult", "apply_file", "apply_import", "check_file", "name_words", "personal_email", "plan_import",
           "problem_line", "problem_where", "raw_records", "read_bytes", "read_path", "report_sections",
           "similar_names", "stream_path", "summary_lines", "too_big"]
