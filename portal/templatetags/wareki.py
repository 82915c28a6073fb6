"""Template filters for 和暦 and 年度 (loaded as builtins: no {% load %} needed)."""

import datetime as dt

from django import template

from portal import calendar

register = template.Library()


@register.filter
def wareki(value):
    """{{ day|wareki }} → 令和7年4月1日"""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return calendar.wareki(value) if value else ""


@register.filter
def wareki_short(value):
    """{{ day|wareki_short }} → R7.4.1"""
    return calendar.wareki_short(value) if value else ""


@register.filter
def wareki_month(value):
    """{{ day|wareki_month }} → 令和7年4月"""
    return calendar.wareki_month(value) if value else ""


@register.filter
def nendo(value):
    """{{ day|nendo }} → 令和7年度; also accepts the fiscal year as a number (2025 → 令和7年度)."""
    if value in (None, ""):
        return ""
    year = value if isinstance(value, int) else calendar.fiscal_year(value)
    return calendar.wareki_fiscal_year(year)
