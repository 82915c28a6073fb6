"""Checks for uploaded files: size, and type by content (never by the name or the browser's word)."""

import codecs
import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

KIND_LABELS = {
    "pdf": "PDF", "xlsx": "Excel（.xlsx）", "docx": "Word（.docx）", "csv": "CSV", "zip": "ZIP",
    "png": "PNG画像", "jpg": "JPEG画像",
}  # fmt: skip


def detect_kind(head: bytes, file) -> str | None:
    """The file's real type from its first bytes (and, for zip containers, their contents)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            names = set(zipfile.ZipFile(file).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "docx"
        return "zip"
    if b"\x00" not in head:
        for encoding in ("utf-8-sig", "cp932"):
            try:
                # The head may end inside a multi-byte character: decode it as an unfinished stream.
                codecs.getincrementaldecoder(encoding)().decode(head, final=False)
                return "csv"
            except UnicodeDecodeError:
                continue
    return None


def validate_upload(file, *, allowed: set[str], max_bytes: int | None = None) -> str:
    """Raise a ValidationError in Japanese unless the file is small enough and of an allowed type.
    Returns the detected type."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if file.size > limit:
        size_mb, limit_mb = file.size / 1024 / 1024, limit // 1024 // 1024
        raise ValidationError(
            f"ファイルが大きすぎます（{size_mb:.1f}MB）。{limit_mb}MB以下のファイルを選んでください。", code="too_large"
        )
    file.seek(0)
    head = file.read(4096)
    kind = detect_kind(head, file)
    file.seek(0)
    if kind not in allowed:
        expected = "、".join(KIND_LABELS[k] for k in sorted(allowed))
        raise ValidationError(
            f"このファイルの形式は受け付けられません。{expected}のファイルを選んでください。", code="type"
        )
    return kind


def as_bytes_io(file) -> io.BytesIO:
    file.seek(0)
    return io.BytesIO(file.read())
