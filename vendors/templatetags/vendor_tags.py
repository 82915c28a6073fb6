from django import template

register = template.Library()


@register.filter
def yen(value):
    """1234567 → 1,234,567円; empty stays —."""
    if value in (None, ""):
        return "—"
    try:
        return f"{int(value):,}円"
    except (TypeError, ValueError):
        return value
