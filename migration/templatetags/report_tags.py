from django import template

register = template.Library()


@register.filter
def issue_overdue(issue, today) -> bool:
    """An open item whose 対応希望期限 has passed."""
    return issue.is_overdue(today)
