"""Template filters for 和暦 and 年度 (loaded as builtins: no {% load %} needed).

They never raise inside a template: a value the era table cannot name (a date before 昭和, or not a
date at all) is shown as its ISO date instead (1900-01-01, 1900-01 for a month)."""

import datetime as dt

from django import template

from portal import calendar

register = template.Library()


def _day(value):
    """A datetime becomes its local date; anything else is returned as it is."""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _iso(value, *, month: bool = False) -> str:
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}" if month else value.isoformat()
    return str(value)


def _era_date(format_date, value, *, month: bool = False) -> str:
    """``format_date`` of the value's local date, or its ISO date where the era table cannot name it."""
    if not value:
        return ""
    value = _day(value)
    try:
        return format_date(value)
    except (ValueError, TypeError, AttributeError):
        return _iso(value, month=month)


@register.filter
def wareki(value):
    """{{ day|wareki }} → 令和7年4月1日"""
    return _era_date(calendar.wareki, value)


@register.filter
def wareki_short(value):
    """{{ day|wareki_short }} → R7.4.1"""
    return _era_date(calendar.wareki_short, value)


@register.filter
def wareki_month(value):
    """{{ day|wareki_month }} → 令和7年4月"""
    return _era_date(calendar.wareki_month, value, month=True)


@register.filter
def nendo(value):
    """{{ day|nendo }} → 令和7年度; also accepts the fiscal year as a number (2025 → 令和7年度)."""
    if value in (None, ""):
        return ""
    try:
        year = value if isinstance(value, int) else calendar.fiscal_year(_day(value))
    except (TypeError, AttributeError):
        return str(value)
    try:
        return calendar.wareki_fiscal_year(year)
    except (ValueError, TypeError):
        return f"{year}年度"
