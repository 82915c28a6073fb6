"""Known data for the dashboard, report workbook and oversight tests (imported by their modules)."""

import datetime as dt

D = dt.date
ON = D(2025, 10, 15)  # the day the known fixture is looked at


def set_step(project, number, **fields):
    from migration.models import StepProgress

    StepProgress.objects.filter(project=project, step__number=number).update(**fields)


def make_issue(municipality, project, number, **fields):
    from migration.models import RiskIssue

    defaults = {"description": f"課題{number}", "raised_on": D(2025, 8, 1), "importance": "medium"}
    defaults.update(fields)
    return RiskIssue.objects.create(municipality=municipality, project=project, number=number, **defaults)
