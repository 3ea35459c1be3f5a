"""The import's use case, for ``flask opendata import`` (``cli.py``) and the upload page (``staging.py``).

``check_file`` is the dry run; ``apply_file`` writes the file's places in one transaction
(``plan.apply_import``). Both read the file with ``reading.stream_path``; the report shown of their
``Outcome`` is ``report.py``.
"""
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


from flask import current_app
from flask_babel import gettext as _

from coordination.directory.imports import profiles
from coordination.directory.imports.plan import (ERROR, PENDING, ImportPlan, ImportReport, Problem, apply_import,
                                                 plan_import)
from coordination.directory.imports.reading import FORMAT_LABELS, ReadResult, stream_path, too_big_problem


@dataclass
class Outcome:
    """What the command line and the upload page show: the file read, and the plan or the report."""
    read: ReadResult
    plan: ImportPlan | None = None
    report: ImportReport | None = None
    publication: str = PENDING  # for the organisations the import creates (issue 15)

    @property
    def problems(self) -> list[Problem]:
        return self.read.problems + (self.plan.problems if self.plan else [])

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    @property
    def format_label(self) -> str:
        if self.read.format == "profil" and self.read.profile is not None:
            return _("fichier lu avec le profil « %(name)s » (converti en 1.0.1)", name=self.read.profile.name)
        return FORMAT_LABELS.get(self.read.format or "") or _("format inconnu")


def too_big(size: int, max_bytes: int) -> Outcome:
    """The outcome of a file refused for its size, before reading it."""
    return Outcome(read=ReadResult(problems=[too_big_problem(size, max_bytes)]))


def check_file(path, *, actor, max_bytes: int | None = None, progress: Callable[[int], None] | None = None,
               name: str | None = None, on_read: Callable[[ReadResult], None] | None = None,
               profile: profiles.Profile | None = None, strip_personal_emails: bool = False,
               publication: str = PENDING) -> Outcome:
    """The dry run: every problem, and what the import would do. Writes nothing.
    ``on_read`` is called once the file is read (the command line sizes its progress bar then);
    ``strip_personal_emails`` leaves out the addresses that look nominative."""
    outcome = _read(path, max_bytes=max_bytes, name=name, on_read=on_read, profile=profile,
                    strip_personal_emails=strip_personal_emails, publication=publication)
    read = outcome.read
    if read.readable:
        outcome.plan = plan_import(read.iter_rows(), actor=actor, progress=progress, name_counts=read.name_counts,
                                   release_records=True)
    return outcome


def apply_file(path, *, actor, max_bytes: int | None = None, progress: Callable[[int], None] | None = None,
               skip_invalid: bool = False, name: str | None = None,
               on_read: Callable[[ReadResult], None] | None = None,
               profile: profiles.Profile | None = None, strip_personal_emails: bool = False,
               publication: str = PENDING, notify: bool = False) -> Outcome:
    """Applies the file in one transaction when it has no error; otherwise writes nothing (with
    ``skip_invalid``: everything but the rows in error). ``publication`` and ``notify``: see
    ``plan.apply_import`` (no mail to an address of the file unless ``notify``)."""
    outcome = _read(path, max_bytes=max_bytes, name=name, on_read=on_read, profile=profile,
                    strip_personal_emails=strip_personal_emails, publication=publication)
    read = outcome.read
    if read.readable:
        outcome.report = apply_import(read.iter_rows(), actor=actor, progress=progress, skip_invalid=skip_invalid,
                                      publication=publication, notify=notify, file_name=name or Path(path).name,
                                      name_counts=read.name_counts, release_records=True)
        outcome.plan = outcome.report.plan
    return outcome


def _read(path, *, max_bytes: int | None, name: str | None, on_read: Callable[[ReadResult], None] | None,
          profile: profiles.Profile | None, strip_personal_emails: bool, publication: str) -> Outcome:
    """The file ready to be read row by row (``IMPORT_MAX_BYTES`` unless ``max_bytes``), ``on_read`` told."""
    if max_bytes is None:
        max_bytes = int(current_app.config["IMPORT_MAX_BYTES"])
    read = stream_path(path, max_bytes=max_bytes, name=name, profile=profile,
                       strip_personal_emails=strip_personal_emails)
    if on_read:
        on_read(read)
    return Outcome(read=read, publication=publication)
