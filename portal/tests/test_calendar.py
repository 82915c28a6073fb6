import datetime as dt

import pytest
from django.template import Context, Template

from portal.calendar import fiscal_year, fiscal_year_bounds, wareki, wareki_fiscal_year, wareki_month, wareki_short


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2025, 4, 1), 2025),
        (dt.date(2026, 3, 31), 2025),
        (dt.date(2026, 4, 1), 2026),
        (dt.date(2025, 1, 5), 2024),
    ],
)
def test_fiscal_year_runs_april_to_march(day, year):
    assert fiscal_year(day) == year


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2025) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2025, 4, 1), "令和7年4月1日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(2026, 3, 31), "令和8年3月31日"),
    ],
)
def test_wareki(day, text):
    assert wareki(day) == text


def test_wareki_fiscal_year_is_named_by_its_first_of_april():
    assert wareki_fiscal_year(2025) == "令和7年度"
    assert wareki_fiscal_year(2019) == "令和元年度"
    assert wareki_fiscal_year(2018) == "平成30年度"
    assert wareki_fiscal_year(1988) == "昭和63年度"
    assert wareki_fiscal_year(1989) == "平成元年度"
    assert wareki_fiscal_year(2025, short=True) == "R7年度"
    assert wareki_month(dt.date(2025, 4, 1)) == "令和7年4月"
    assert wareki_short(dt.date(2025, 4, 1)) == "R7.4.1"
    assert wareki_short(dt.date(2019, 4, 30)) == "H31.4.30"


def test_template_filters_are_builtin():
    html = Template("{{ d|wareki }} {{ d|nendo }} {{ y|nendo }} {{ d|wareki_month }} [{{ none|wareki }}]").render(
        Context({"d": dt.date(2026, 3, 31), "y": 2026, "none": None})
    )
    assert html == "令和8年3月31日 令和7年度 令和8年度 令和8年3月 []"


def test_template_filters_fall_back_to_the_iso_date_before_showa():
    """A date the era table cannot name (before 昭和) is shown as an ISO date instead of breaking the page."""
    template = Template(
        "{{ d|wareki }} {{ d|wareki_short }} {{ d|wareki_month }} {{ d|nendo }} {{ y|nendo }} {{ t|wareki }}"
    )
    html = template.render(Context({"d": dt.date(1900, 1, 1), "y": 1900, "t": dt.datetime(1900, 1, 1, 12, 0)}))
    assert html == "1900-01-01 1900-01-01 1900-01 1899年度 1900年度 1900-01-01"
