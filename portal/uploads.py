"""Checks for uploaded files: size, type by content, and a file name whose extension matches that type
(never the browser's word). A text file named .html/.svg/.js/.bat, or named .pdf, is refused."""

import codecs
import io
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

KIND_LABELS = {
    "pdf": "PDF", "xlsx": "Excel（.xlsx）", "docx": "Word（.docx）", "csv": "CSV", "zip": "ZIP",
    "png": "PNG画像", "jpg": "JPEG画像",
}  # fmt: skip
# The file name extensions each type may have (the first is the one to suggest).
KIND_EXTENSIONS = {
    "pdf": ("pdf",), "xlsx": ("xlsx",), "docx": ("docx",), "csv": ("csv",), "zip": ("zip",),
    "png": ("png",), "jpg": ("jpg", "jpeg"),
}  # fmt: skip
SNIFF_BYTES = 4096
TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r"}


def extension_of(name: str | None) -> str:
    """The lower-case extension of a file name without its folders ("" when there is none)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    return extension.lower() if dot and stem else ""


def _is_text(head: bytes, *, complete: bool) -> bool:
    """UTF-8 (with or without BOM) or Shift_JIS (cp932) text without control characters other than
    tab and line breaks. When the head is only the start of the file it may end inside a multi-byte
    character: it is decoded as an unfinished stream."""
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(ch) == "Cc" and ch not in TEXT_CONTROLS_ALLOWED for ch in text):
            return False
        return True
    return False


def detect_kind(head: bytes, file, *, complete: bool = False) -> str | None:
    """The file's real type from its first bytes (and, for zip containers, their contents).
    ``complete`` says that ``head`` is the whole file."""
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
    if head and _is_text(head, complete=complete):
        return "csv"
    return None


def _extensions_text(kinds) -> str:
    return "、".join(f".{extension}" for kind in sorted(kinds) for extension in KIND_EXTENSIONS[kind])


def validate_upload(file, *, allowed: set[str], max_bytes: int | None = None) -> str:
    """Raise a ValidationError in Japanese unless the file is small enough, of an allowed type by its
    content, and named with that type's extension. Returns the detected type.
    Codes: too_large, empty, type (the content is not of an allowed type, the name's extension is),
    extension (the name's extension is not allowed, or does not match the content)."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if file.size > limit:
        size_mb, limit_mb = file.size / 1024 / 1024, limit // 1024 // 1024
        raise ValidationError(
            f"ファイルが大きすぎます（{size_mb:.1f}MB）。{limit_mb}MB以下のファイルを選んでください。", code="too_large"
        )
    if not file.size:
        raise ValidationError("ファイルが空です（0バイト）。内容の入ったファイルを選んでください。", code="empty")
    expected = "、".join(KIND_LABELS[k] for k in sorted(allowed))
    extension = extension_of(getattr(file, "name", ""))
    extension_allowed = extension in {e for kind in allowed for e in KIND_EXTENSIONS[kind]}
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    kind = detect_kind(head, file, complete=file.size <= len(head))
    file.seek(0)
    if kind not in allowed:
        raise ValidationError(
            f"このファイルの形式は受け付けられません。{expected}のファイルを選んでください。",
            code="type" if extension_allowed else "extension",
        )
    if not extension_allowed:
        shown = f"「.{extension}」" if extension else "なし"
        raise ValidationError(
            f"ファイル名の拡張子（{shown}）のファイルは受け付けられません。"
            f"{expected}のファイル（拡張子 {_extensions_text(allowed)}）を選んでください。",
            code="extension",
        )
    if extension not in KIND_EXTENSIONS[kind]:
        raise ValidationError(
            f"ファイルの中身は{KIND_LABELS[kind]}ですが、ファイル名の拡張子が「.{extension}」です。"
            f"中身と拡張子が合っているファイルを選んでください（{KIND_LABELS[kind]}なら拡張子 "
            f"{_extensions_text([kind])}）。",
            code="extension",
        )
    return kind


def as_bytes_io(file) -> io.BytesIO:
    file.seek(0)
    return io.BytesIO(file.read())
