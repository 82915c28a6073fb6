import datetime as dt

import pytest

OCTOBER = dt.date(2025, 10, 1)  # the month of the shared october_report fixture (conftest.py at the root)


@pytest.fixture
def tax_project(city, make_project):
    """個人住民税 of あおば市, owned by 税務課."""
    return make_project(city, 4, "税務課", current_system_name="税務システム")
