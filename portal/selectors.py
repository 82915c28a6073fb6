from django.shortcuts import get_object_or_404

from portal.models import Department, Job, Municipality
from portal.permissions import scope_to_municipality


def visible_municipalities(user):
    return scope_to_municipality(user, Municipality.objects.all(), field="id")


def visible_departments(user):
    return scope_to_municipality(user, Department.objects.select_related("municipality"))


def visible_jobs(user):
    """Jobs of the user's municipality that the user started (the DX office sees all of them)."""
    from portal.permissions import Role

    jobs = scope_to_municipality(user, Job.objects.select_related("created_by"))
    if user.is_superuser or user.role == Role.DX_OFFICE:
        return jobs
    return jobs.filter(created_by=user)


def job_detail(user, job_id: int) -> Job:
    return get_object_or_404(visible_jobs(user), pk=job_id)
