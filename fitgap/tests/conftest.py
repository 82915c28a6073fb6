"""Fit & Gap fixtures: the SAMPLE 住民記録 catalogue (fixtures/fitgap/) and an analysis of あおば市's 住民基本台帳."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "fitgap" / "SAMPLE_住民記録_要件一覧.csv"


def upload(content: bytes, name: str = "file.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def csv_upload(text: str, name="要件一覧.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding))


def workbook_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def sample_csv() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def import_catalogue(users):
    from fitgap import services
    from migration.models import TargetOperation

    def run(text: str, version_label="第1.0版", *, municipality=None, actor=None, operation_number=1):
        actor = actor or users["dx"]
        return services.import_catalogue(
            actor=actor,
            municipality=municipality or actor.municipality,
            operation=TargetOperation.objects.get(number=operation_number),
            title="住民記録システム標準仕様書（サンプル）",
            version_label=version_label,
            file=csv_upload(text),
        )

    return run


@pytest.fixture
def catalogue(import_catalogue, sample_csv):
    return import_catalogue(sample_csv)[0]


@pytest.fixture
def analysis(users, resident_project, catalogue):
    from fitgap import services

    return services.start_analysis(actor=users["dept"], project=resident_project, catalogue=catalogue)
