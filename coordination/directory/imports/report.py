"""The import's report: the lines printed by ``flask opendata import`` and shown on the upload page."""
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from coordination.directory.imports.importing import Outcome
from coordination.directory.imports.plan import ERROR, PUBLICATIONS, WARNING, Problem


def summary_lines(outcome: Outcome, *, command_line: bool = True) -> list[str]:
    """The French report's head: format, counts, rejected rows by reason."""
    read, plan = outcome.read, outcome.plan
    if read.encoding:
        lines = [_("Format : %(format)s ; encodage : %(encoding)s", format=outcome.format_label, encoding=read.encoding)]
    else:
        lines = [_("Format : %(format)s", format=outcome.format_label)]
    if plan is None:
        lines.append(_("Le fichier n'a pas pu être lu : rien n'a été importé."))
        return lines
    lines.append(_("Lignes lues : %(num)s", num=plan.rows))
    lines.append(_("Lieux à créer : %(create)s ; à mettre à jour : %(update)s ; inchangés : %(unchanged)s ; "
                   "ignorés : %(skipped)s", create=plan.to_create, update=plan.to_update, unchanged=plan.unchanged,
                   skipped=plan.skipped))
    lines.append(_("Organisations à créer, %(publication)s : %(num)s", publication=PUBLICATIONS[outcome.publication],
                   num=len(plan.organisations)))
    lines.append(_("Doublons possibles : %(num)s", num=len(plan.duplicates)))
    rejected = plan.rejected_lines
    lines.append(_("Lignes rejetées : %(rejected)s ; avertissements : %(warnings)s", rejected=len(rejected),
                   warnings=len(plan.warnings)))
    for reason, count in plan.rejected_by_reason():
        if command_line:
            lines.append("  - " + ngettext("%(reason)s : %(num)s ligne", "%(reason)s : %(num)s lignes", count,
                                           reason=reason))
        else:
            lines.append(ngettext("Rejetée pour cette raison, %(reason)s : %(num)s ligne",
                                  "Rejetées pour cette raison, %(reason)s : %(num)s lignes", count, reason=reason))
    lines.extend(visibility_lines(outcome))
    report = outcome.report
    if report is not None and report.applied:
        lines.append(_("Import appliqué : %(places)s, %(updated)s, %(organisations)s.",
                       places=ngettext("%(num)s lieu créé", "%(num)s lieux créés", report.created),
                       updated=ngettext("%(num)s mis à jour", "%(num)s mis à jour", report.updated),
                       organisations=ngettext("%(num)s organisation créée", "%(num)s organisations créées",
                                              report.organisations_created)))
        if report.notify and report.invitations:
            lines.append(_("Invitations mises dans la file d'envoi : %(num)s (étalées dans le temps).",
                           num=report.invitations))
        elif report.notify and report.organisations_created:
            lines.append(_("Les structures seront prévenues (une invitation chacune) quand elles seront acceptées."))
        elif report.organisations_created:
            lines.append(_("Aucun courriel n'est envoyé aux adresses du fichier (« prévenir les structures » "
                           "n'était pas coché)."))
    if report is not None and report.applied and plan.rejected_lines:
        lines.append(_("Lignes en erreur laissées de côté : %(num)s.", num=len(plan.rejected_lines)))
    elif outcome.has_errors and command_line:
        lines.append(_("Le fichier contient des erreurs : rien n'a été importé. Corrigez-les puis relancez "
                       "(ou importez seulement les lignes valables avec --skip-invalid)."))
    elif outcome.has_errors:  # the page offers, below, to import the file without its rows in error
        lines.append(_("Rien n'a encore été importé : corrigez le fichier et envoyez-le à nouveau."))
    return lines


def visibility_lines(outcome: Outcome) -> list[str]:
    """How many places the public directory will show right after the import, and why not the others."""
    if outcome.plan is None:
        return []
    seen = outcome.plan.visibility(outcome.publication)
    if seen.hidden_count:
        lines = [_("Lieux visibles dans l'annuaire public juste après l'import : %(visible)s ; non visibles : "
                   "%(hidden)s", visible=seen.visible, hidden=seen.hidden_count)]
    else:
        lines = [_("Lieux visibles dans l'annuaire public juste après l'import : %(visible)s", visible=seen.visible)]
    for reason, count in seen.hidden:
        lines.append("  - " + ngettext("%(reason)s : %(num)s lieu", "%(reason)s : %(num)s lieux", count,
                                       reason=reason))
    return lines


def problem_where(problem: Problem, *, json_file: bool = False, short: bool = False) -> str:
    """Where a problem is: "fichier", "en-tête" (a CSV's line 1; a JSON file has no header line:
    "fichier"), then "ligne 12" or "objet n° 11" (``short``: the bare line number)."""
    if problem.line == 0 or (problem.line == 1 and json_file):
        return _("fichier")
    if problem.line == 1:
        return _("en-tête")
    if json_file:
        return _("objet n° %(num)s", num=problem.line - 1)
    return str(problem.line) if short else _("ligne %(num)s", num=problem.line)


def problem_line(problem: Problem, *, json_file: bool = False) -> str:
    where = problem_where(problem, json_file=json_file)
    if problem.column:
        return _("%(where)s, colonne %(column)s [%(severity)s] : %(message)s", where=where, column=problem.column,
                 severity=problem.severity_label, message=problem.message)
    return _("%(where)s [%(severity)s] : %(message)s", where=where, severity=problem.severity_label,
             message=problem.message)


REPORT_LIMIT = 2000  # problem lines shown on the upload page; the command line lists them all


@dataclass
class ReportSections:
    """The upload page's report: errors first, warnings counted by reason, then warning lines, at most
    ``limit`` lines in all (errors before warnings), and how many lines were left out."""
    errors: list[Problem]
    warnings_by_reason: list[tuple[str, int]]
    warnings: list[Problem]
    hidden: int


def report_sections(outcome: Outcome, *, limit: int | None = None) -> ReportSections:
    limit = REPORT_LIMIT if limit is None else limit
    errors = [p for p in outcome.problems if p.severity == ERROR]
    warnings = [p for p in outcome.problems if p.severity == WARNING]
    shown_errors = errors[:limit]
    shown_warnings = warnings[:max(0, limit - len(shown_errors))]
    by_reason = Counter(p.reason or p.message for p in warnings)
    return ReportSections(
        errors=shown_errors, warnings_by_reason=sorted(by_reason.items(), key=lambda x: (-x[1], x[0])),
        warnings=shown_warnings, hidden=len(errors) + len(warnings) - len(shown_errors) - len(shown_warnings))
