"""The project pages need a fixed number of queries whatever the number of projects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", ["/projects/", "/api/v1/projects/", "/api/v1/step-progress/"])
def test_lists_do_not_grow_with_projects(client, users, city, make_project, url):
    client.force_login(users["dx"])
    make_project(city, 1, "市民課")
    few = count_queries(client, url)
    for number in range(2, 18):
        make_project(city, number, "税務課")
    assert count_queries(client, url) == few


def test_project_page_does_not_grow_with_history(client, users, resident_project, django_assert_max_num_queries):
    from migration import services

    client.force_login(users["dept"])
    before = count_queries(client, f"/projects/{resident_project.id}/")
    for step in resident_project.step_progress.select_related("step", "project"):
        services.update_step_progress(
            actor=users["dept"], progress=step, expected_version=step.version, data={"percent_done": 10}
        )
    assert count_queries(client, f"/projects/{resident_project.id}/") == before
