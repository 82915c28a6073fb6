"""Vendor B's user and みなみ町's RFI (other_vendor, today and city_rfi are in the root conftest.py)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="提案資料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def vendor_b(other_vendor, make_user):
    from portal.models import User

    return make_user("vendor_b", User.Role.VENDOR, vendor=other_vendor)


@pytest.fixture
def town_rfi(users, town, other_vendor, town_project, today):
    """みなみ町's RFI, sent only to the other vendor (B)."""
    from vendors import services

    rfi = services.create_rfi(
        actor=users["other_dx"],
        municipality=town,
        title="みなみ町RFI",
        deadline=today + dt.timedelta(days=10),
        projects=[town_project],
        vendors=[other_vendor],
    )
    services.add_rfi_attachment(actor=users["other_dx"], rfi=rfi, file=pdf("RFI資料_みなみ町.pdf"))
    return services.send_rfi(actor=users["other_dx"], rfi=rfi, expected_version=rfi.version)


def full_answers(rfi, text="対応予定"):
    return {q.id: (f"{text}（ガバクラ）", f"{text}（自治体クラウド）") for q in rfi.questions.all()}


@pytest.fixture
def answer(users):
    """Save and submit an answer for the given vendor user: answer(user, rfi, costs=[...], file=True)."""
    from vendors import services
    from vendors.models import RfiInvitation

    def make(user, rfi, *, costs=(), with_file=False, submit=True, text="対応予定"):
        invitation = RfiInvitation.objects.get(rfi=rfi, vendor=user.vendor)
        draft = services.save_response(
            actor=user,
            invitation=invitation,
            answers=full_answers(rfi, text),
            cost_lines=list(costs),
            based_on_id=(latest := invitation.responses.order_by("-number").first()) and latest.id,
            expected_version=latest.version if latest else None,
        )
        if with_file:
            services.add_response_file(
                actor=user, invitation=invitation, file=pdf(), based_on_id=draft.id, expected_version=draft.version
            )
            draft.refresh_from_db()
        if submit:
            return services.submit_response(actor=user, invitation=invitation, expected_version=draft.version)
        return draft

    return make


def cost(system_type, environment, category, amount, description=""):
    return {
        "system_type": system_type,
        "environment": environment,
        "category": category,
        "amount": amount,
        "description": description,
    }
