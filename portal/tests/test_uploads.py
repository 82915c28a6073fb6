import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from portal.uploads import validate_upload


def xlsx_bytes():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\x89PNG\r\n\x1a\n....", "png"),
        (b"\xff\xd8\xff\xe0..", "jpg"),
        ("業務名,状態\n住民記録,完了\n".encode("cp932"), "csv"),
        ("No,内容\n1,あ\n".encode(), "csv"),
    ],
)
def test_types_are_detected_by_content(content, kind):
    assert validate_upload(SimpleUploadedFile("any.bin", content), allowed={kind}) == kind


def test_xlsx_and_plain_zip_are_told_apart():
    assert validate_upload(SimpleUploadedFile("a.xlsx", xlsx_bytes()), allowed={"xlsx"}) == "xlsx"
    with pytest.raises(ValidationError, match="Excel（.xlsx）のファイルを選んでください"):
        validate_upload(SimpleUploadedFile("renamed.xlsx", zip_bytes()), allowed={"xlsx"})


def test_a_renamed_executable_is_refused():
    with pytest.raises(ValidationError) as raised:
        validate_upload(SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00"), allowed={"pdf"})
    assert raised.value.code == "type"


def test_size_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="1MB以下") as raised:
        validate_upload(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024)), allowed={"pdf"})
    assert raised.value.code == "too_large"


def test_csv_whose_first_block_ends_inside_a_character():
    content = ("あ" * 1365 + "い\n").encode()  # byte 4096 falls inside a 3-byte character
    assert len(content) > 4096 and content[:4096].decode(errors="ignore") != content[:4096].decode(errors="replace")
    assert validate_upload(SimpleUploadedFile("x.csv", content), allowed={"csv"}) == "csv"
    sjis = ("業務" * 1500).encode("cp932")[1:4097] + b"\n"
    assert validate_upload(SimpleUploadedFile("y.csv", b"a" + sjis), allowed={"csv"}) == "csv"
