"""List pages and API lists need a fixed number of queries, however many RFIs, vendors and answers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vendors import services
from vendors.models import Vendor
from vendors.tests.conftest import cost


def _make_rfis(users, city, vendors, count, answer, today):
    for index in range(count):
        rfi = services.create_rfi(
            actor=users["dx"], municipality=city, title=f"RFI{index}", deadline=today + dt.timedelta(days=9),
            vendors=vendors,
        )  # fmt: skip
        rfi = services.send_rfi(actor=users["dx"], rfi=rfi, expected_version=rfi.version)
        answer(users["vendor"], rfi, costs=[cost("standard", "gov_cloud", "design", 100 + index)], with_file=True)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("dx", "/api/v1/rfis/"),
        ("dx", "/api/v1/rfi-responses/"),
        ("dx", "/api/v1/contracts/"),
        ("vendor", "/api/v1/rfis/"),
        ("vendor", "/api/v1/rfi-responses/"),
        ("dx", "vendors:home"),
        ("vendor", "vendors:rfi_inbox"),
    ],
)
def test_fixed_query_counts(client, users, city, vendor, answer, today, who, url):
    others = [Vendor.objects.create(name=f"ベンダ{i}", corporate_number=n) for i, n in
              enumerate(["5010001012340", "2010001012343"])]  # fmt: skip
    url = reverse(url) if ":" in url else url
    client.force_login(users[who])
    _make_rfis(users, city, [vendor, *others], 2, answer, today)
    small = _count(client, url)
    _make_rfis(users, city, [vendor, *others], 4, answer, today)
    large = _count(client, url)
    assert large == small, f"{url}: {small} queries for 2 RFIs, {large} for 6"


def test_comparison_query_count_does_not_grow_with_vendors(client, users, city, vendor, answer, today, make_user):
    from portal.models import User

    vendors = [vendor]
    for i, number in enumerate(["5010001012340", "2010001012343", "7010001012349"]):
        other = Vendor.objects.create(name=f"ベンダ{i}", corporate_number=number)
        make_user(f"v{i}", User.Role.VENDOR, vendor=other)
        vendors.append(other)
    rfi = services.create_rfi(
        actor=users["dx"], municipality=city, title="比較", deadline=today + dt.timedelta(days=9), vendors=vendors
    )
    rfi = services.send_rfi(actor=users["dx"], rfi=rfi, expected_version=rfi.version)
    answer(users["vendor"], rfi)
    client.force_login(users["dx"])
    url = reverse("vendors:rfi_comparison", args=[rfi.id])
    small = _count(client, url)
    for i in range(3):
        answer(User.objects.get(username=f"v{i}"), rfi)
    assert _count(client, url) == small
