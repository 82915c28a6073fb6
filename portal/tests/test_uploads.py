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
    ("name", "content", "kind"),
    [
        ("a.pdf", b"%PDF-1.7\n...", "pdf"),
        ("a.png", b"\x89PNG\r\n\x1a\n....", "png"),
        ("a.jpg", b"\xff\xd8\xff\xe0..", "jpg"),
        ("写真.JPEG", b"\xff\xd8\xff\xe0..", "jpg"),  # jpg and jpeg are the same type; case does not matter
        ("一覧.csv", "業務名,状態\n住民記録,完了\n".encode("cp932"), "csv"),
        ("一覧.csv", "No,内容\n1,あ\n".encode(), "csv"),
        ("一覧.csv", "\ufeffNo,内容\r\n1,\tあ\r\n".encode(), "csv"),  # BOM, CRLF and tabs
    ],
)
def test_types_are_detected_by_content(name, content, kind):
    assert validate_upload(SimpleUploadedFile(name, content), allowed={kind}) == kind


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


ALL = {"pdf", "xlsx", "docx", "csv", "zip", "png", "jpg"}


@pytest.mark.parametrize(
    "name",
    ["page.html", "drawing.svg", "script.js", "run.bat", "notes.txt", "no_extension", ".csv", "a.csv.exe"],
)
def test_text_under_a_name_of_another_type_is_refused(name):
    with pytest.raises(ValidationError, match="拡張子") as raised:
        validate_upload(SimpleUploadedFile(name, b"<svg onload=alert(1)>,\n"), allowed=ALL)
    assert raised.value.code == "extension"
    assert "拡張子 .csv、.docx、.jpg、.jpeg、.pdf、.png、.xlsx、.zip" in raised.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content", "shown"),
    [
        ("見積書.pdf", "見積金額,100\n".encode(), "ファイルの中身はCSVですが、ファイル名の拡張子が「.pdf」です"),
        ("写真.png", b"\xff\xd8\xff\xe0..", "ファイルの中身はJPEG画像ですが、ファイル名の拡張子が「.png」です"),
        ("資料.zip", b"%PDF-1.7\n", "ファイルの中身はPDFですが、ファイル名の拡張子が「.zip」です"),
    ],
)
def test_the_extension_must_match_the_content(name, content, shown):
    with pytest.raises(ValidationError, match=shown) as raised:
        validate_upload(SimpleUploadedFile(name, content), allowed=ALL)
    assert raised.value.code == "extension"


def test_wrong_content_under_a_name_of_another_type():
    """The content is judged first (the message names the allowed types); the code says the name is wrong too,
    so that a caller's fallback for unrecognised text (code "type") never applies to such a name."""
    with pytest.raises(ValidationError, match="このファイルの形式は受け付けられません。Excel（.xlsx）") as raised:
        validate_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.7\n"), allowed={"xlsx"})
    assert raised.value.code == "extension"
    with pytest.raises(ValidationError, match="このファイルの形式は受け付けられません。Excel（.xlsx）") as raised:
        validate_upload(SimpleUploadedFile("a.xlsx", b"%PDF-1.7\n"), allowed={"xlsx"})
    assert raised.value.code == "type"


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x01\x02\x03binary",  # control characters: not text
        b"\x1b[31mescape\n",
        b"\xff\xfeN\x00o\x00",  # UTF-16 (NUL bytes)
        b"\x80\x85\x9f",  # decodes as cp932 only to C1 control characters
    ],
)
def test_binary_named_csv_is_refused(content):
    with pytest.raises(ValidationError, match="CSVのファイルを選んでください") as raised:
        validate_upload(SimpleUploadedFile("x.csv", content), allowed={"csv"})
    assert raised.value.code == "type"


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="ファイルが空です") as raised:
        validate_upload(SimpleUploadedFile("x.csv", b""), allowed={"csv"})
    assert raised.value.code == "empty"


def test_short_text_ending_in_half_a_character_is_refused():
    """Only a head cut by the 4 KB sniff limit may end inside a character, not a whole file."""
    with pytest.raises(ValidationError) as raised:
        validate_upload(SimpleUploadedFile("x.csv", b"a,b\n\xe3"), allowed={"csv"})
    assert raised.value.code == "type"
