"""The import's report: the lines printed by ``flask opendata import`` and shown on the upload page."""
from collections import Counter
from dataclasses import dataclass


from coordination.core.plurals import ngettext
from coordination.directory.imports.importing import Outcome
from coordination.directory.imports.plan import ERROR, PUBLICATIONS, WARNING, Problem


def summary_lines(outcome: Outcome, *, command_line: bool = True) -> list[str]:
    """The French report's head: format, counts, rejected rows by reason."""
    read, plan = outcome.read, outcome.plan
    lines = [f"Format : {outcome.format_label}" + (f" ; encodage : {read.encoding}" if read.encoding else "")]
    if plan is None:
        lines.append("Le fichier n'a pas pu être lu : rien n'a été importé.")
        return lines
    lines.append(f"Lignes lues : {plan.rows}")
    lines.append(f"Lieux à créer : {plan.to_create} ; à mettre à jour : {plan.to_update} ; "
                 f"inchangés : {plan.unchanged} ; ignorés : {plan.skipped}")
    lines.append(f"Organisations à créer, {PUBLICATIONS[outcome.publication]} : {len(plan.organisations)}")
    lines.append(f"Doublons possibles : {len(plan.duplicates)}")
    rejected = plan.rejected_lines
    lines.append(f"Lignes rejetées : {len(rejected)} ; avertissements : {len(plan.warnings)}")
    for reason, count in plan.rejected_by_reason():
        lines.append(("  - " if command_line else "Rejetées pour cette raison, ") + f"{reason} : "
                     + ngettext("%(num)s ligne", "%(num)s lignes", count))
    lines.extend(visibility_lines(outcome))
    report = outcome.report
    if report is not None and report.applied:
        lines.append("Import appliqué : " + ", ".join((
            ngettext("%(num)s lieu créé", "%(num)s lieux créés", report.created),
            ngettext("%(num)s mis à jour", "%(num)s mis à jour", report.updated),
            ngettext("%(num)s organisation créée", "%(num)s organisations créées", report.organisations_created),
        )) + ".")
        if report.notify and report.invitations:
            lines.append(f"Invitations mises dans la file d'envoi : {report.invitations} (étalées dans le temps).")
        elif report.notify and report.organisations_created:
            lines.append("Les structures seront prévenues (une invitation chacune) quand elles seront acceptées.")
        elif report.organisations_created:
            lines.append("Aucun courriel n'est envoyé aux adresses du fichier (« prévenir les structures » "
                         "n'était pas coché).")
    if report is not None and report.applied and plan.rejected_lines:
        lines.append(f"Lignes en erreur laissées de côté : {len(plan.rejected_lines)}.")
    elif outcome.has_errors and command_line:
        lines.append("Le fichier contient des erreurs : rien n'a été importé. Corrigez-les puis relancez "
                     "(ou importez seulement les lignes valables avec --skip-invalid).")
    elif outcome.has_errors:  # the page offers, below, to import the file without its rows in error
        lines.append("Rien n'a encore été importé : corrigez le fichier et envoyez-le à nouveau.")
    return lines


def visibility_lines(outcome: Outcome) -> list[str]:
    """How many places the public directory will show right after the import, and why not the others."""
    if outcome.plan is None:
        return []
    seen = outcome.plan.visibility(outcome.publication)
    lines = [f"Lieux visibles dans l'annuaire public juste après l'import : {seen.visible}"
             + (f" ; non visibles : {seen.hidden_count}" if seen.hidden_count else "")]
    for reason, count in seen.hidden:
        lines.append(f"  - {reason} : {count} lieu{'x' if count > 1 else ''}")
    return lines


def problem_where(problem: Problem, *, json_file: bool = False, short: bool = False) -> str:
    """Where a problem is: "fichier", "en-tête" (a CSV's line 1; a JSON file has no header line:
    "fichier"), then "ligne 12" or "objet n° 11" (``short``: the bare line number)."""
    if problem.line == 0 or (problem.line == 1 and json_file):
        return "fichier"
    if problem.line == 1:
        return "en-tête"
    if json_file:
        return f"objet n° {problem.line - 1}"
    return str(problem.line) if short else f"ligne {problem.line}"


def problem_line(problem: Problem, *, json_file: bool = False) -> str:
    column = f", colonne {problem.column}" if problem.column else ""
    return f"{problem_where(problem, json_file=json_file)}{column} [{problem.severity_label}] : {problem.message}"


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
