"""Who may do what with monthly reports and the issue/risk register (built on portal.permissions)."""

from portal.permissions import can_edit_project, can_manage_municipality, department_ids, is_municipal_user


def can_view_reports(user, municipality_id: int) -> bool:
    """Every municipal user of the municipality reads reports and the register; vendors see none."""
    return is_municipal_user(user) and (user.is_superuser or user.municipality_id == municipality_id)


def can_write_report(user, project) -> bool:
    """Create or fill in a project's report: the owning department (or the DX office)."""
    return can_edit_project(user, project)


def can_edit_report(user, report) -> bool:
    """Edit or submit: only while 下書き or 差戻し."""
    return report.is_editable and can_write_report(user, report.project)


def can_review_report(user, report) -> bool:
    """Return (差戻し) or accept (確認済): the DX office, once the report is 提出済."""
    return report.state == report.State.SUBMITTED and can_manage_municipality(user, report.project.municipality_id)


def can_remind(user, municipality_id: int) -> bool:
    return can_manage_municipality(user, municipality_id)


def can_edit_issue(user, project) -> bool:
    """Add or update register items of a project: the owning department or the DX office."""
    return can_edit_project(user, project)


def can_comment_issue(user, issue) -> bool:
    """The editors and the members of the other departments named as 関係者."""
    if can_edit_issue(user, issue.project):
        return True
    if not is_municipal_user(user) or user.municipality_id != issue.municipality_id:
        return False
    mine = department_ids(user)
    return any(d.id in mine for d in issue.other_departments.all())
