"""Fit & Gap test helpers: the SAMPLE 住民記録 catalogue (fixtures/fitgap/); the fixtures sample_csv, import_catalogue,
catalogue and analysis (あおば市's 住民基本台帳) are in the root conftest.py."""

import io
from pathlib import Path

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
