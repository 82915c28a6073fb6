"""Japanese public-sector calendar: 年度 (fiscal year, April–March) and 和暦 (era dates)."""

import datetime as dt

# (era name, short letter, first day); newest first.
ERAS = [
    ("令和", "R", dt.date(2019, 5, 1)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("昭和", "S", dt.date(1926, 12, 25)),
]

# 標準化法: the national target is the end of 令和7年度.
NATIONAL_DEADLINE = dt.date(2026, 3, 31)


def fiscal_year(day: dt.date) -> int:
    """The 年度 a date falls in, as the western year it starts in (2026-03-31 → 2025)."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def _era(day: dt.date) -> tuple[str, str, int]:
    for name, letter, start in ERAS:
        if day >= start:
            return name, letter, day.year - start.year + 1
    raise ValueError(f"{day} is before 昭和")


def _era_year(number: int) -> str:
    return "元" if number == 1 else str(number)


def wareki(day: dt.date | None) -> str:
    """2025-04-01 → 令和7年4月1日; 2019-05-01 → 令和元年5月1日."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = day.date()
    name, _letter, number = _era(day)
    return f"{name}{_era_year(number)}年{day.month}月{day.day}日"


def wareki_month(day: dt.date | None) -> str:
    """2025-04-01 → 令和7年4月."""
    if day is None:
        return ""
    name, _letter, number = _era(day)
    return f"{name}{_era_year(number)}年{day.month}月"


def wareki_fiscal_year(year: int, *, short: bool = False) -> str:
    """Fiscal year 2025 → 令和7年度 (short: R7年度).

    A 年度 takes the era in force on its 1 May: 令和 began on 2019-05-01 and fiscal 2019 is
    officially 令和元年度, while fiscal 1988 (平成 began in January 1989) stays 昭和63年度."""
    name, letter, number = _era(dt.date(year, 5, 1))
    if short:
        return f"{letter}{number}年度"
    return f"{name}{_era_year(number)}年度"


def wareki_short(day: dt.date | None) -> str:
    """2025-04-01 → R7.4.1 (for dense tables)."""
    if day is None:
        return ""
    _name, letter, number = _era(day)
    return f"{letter}{number}.{day.month}.{day.day}"
