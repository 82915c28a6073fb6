import datetime as dt

import pytest

OCTOBER = dt.date(2025, 10, 1)


@pytest.fixture
def tax_project(city, make_project):
    """個人住民税 of あおば市, owned by 税務課."""
    return make_project(city, 4, "税務課", current_system_name="税務システム")


@pytest.fixture
def october_report(users, resident_project):
    from migration import services

    return services.create_report(actor=users["dept"], project=resident_project, month=OCTOBER)
