"""Uploads are what their bytes say, not what the browser or the name claims (issue 9, hole 10).

Attacks on every upload path — staff intake, the citizen portal, the registering service itself:
an HTML page named .jpg, an SVG with onload named .png, an .exe (MZ header) sent as
application/pdf, a JPEG with a script inside (a polyglot), HTML behind a BOM and whitespace. Each is
refused with a message naming the file, and nothing is half-written: no case, no file on disk. A real
PNG and PDF are accepted, stored with the detected type, and downloaded as an attachment with nosniff.
"""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huiyin.cases.models import Case
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.cases.tests.test_views_intake import intake_data
from huiyin.core import filetypes
from huiyin.core.errors import ValidationFailed
from huiyin.intake.services import case_register


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def docx(content_types: str, parts: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        for part in parts:
            archive.writestr(part, "<w:document/>")
    return buffer.getvalue()


DOCX_TYPES = (
    '<Types><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCM_TYPES = DOCX_TYPES.replace("document.main+xml", "document.macroEnabled.main+xml")

# (name, bytes, what the browser claims, words the refusal must carry)
ATTACKS = [
    pytest.param(
        "照片.jpg",
        b"<html><script>alert(document.cookie)</script></html>",
        "image/jpeg",
        "网页或脚本",
        id="html-named-jpg",
    ),
    pytest.param(
        "图.png",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "image/png",
        "网页或脚本",
        id="svg-onload-named-png",
    ),
    pytest.param(
        "信.pdf",
        b"MZ\x90\x00\x03" + b"\x00" * 60 + b"PE\x00\x00",
        "application/pdf",
        "可执行程序",
        id="exe-as-pdf",
    ),
    pytest.param(
        "poly.jpg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40 + b"<script>alert(1)</script>",
        "image/jpeg",
        "网页或脚本",
        id="jpeg-script-polyglot",
    ),
    pytest.param(
        "bom.jpg",
        b"\xef\xbb\xbf \r\n\t<!DOCTYPE html><p>hi",
        "image/jpeg",
        "网页或脚本",
        id="html-behind-bom-and-whitespace",
    ),
    pytest.param(
        "u16.txt", "<html><body>hi".encode("utf-16"), "text/plain", "网页或脚本", id="utf16-html-named-txt"
    ),
    pytest.param("pdf-in-png.png", PDF, "image/png", "扩展名不符", id="pdf-named-png"),
    pytest.param("宏.docx", docx(DOCM_TYPES, ["word/document.xml"]), filetypes.DOCX, "含宏", id="macro-docx"),
    pytest.param(
        "a.docx", docx("<Types/>", ["x.xml"]), filetypes.DOCX, "类型不被接受", id="zip-that-is-no-office-file"
    ),
]


def files_on_disk(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- the registering service (every channel goes through it) ------------------------------------------


@pytest.mark.parametrize(("name", "content", "claimed", "words"), ATTACKS)
def test_the_register_service_refuses_disguised_content_and_stores_nothing(
    name, content, claimed, words, org, clerk_li, media
):
    # given a clerk registering a case with an attachment whose bytes are not what it claims
    data = CaseIn(
        channel="visit",
        petition_type="complaint",
        title="t",
        content="c",
        petitioners=[PetitionerIn(name="王五")],
    )
    # when it is registered
    with pytest.raises(ValidationFailed) as refused:
        case_register(
            data=data,
            office=org.county_office,
            actor=clerk_li,
            attachments=[SimpleUploadedFile(name, content, content_type=claimed)],
        )
    # then it is refused naming the file, and nothing is written: no case, no file
    assert words in refused.value.message and name in refused.value.message
    assert refused.value.extra["fields"]["attachments"]
    assert not Case.objects.exists() and files_on_disk(media) == []


# --- staff intake -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "claimed", "words"), ATTACKS)
def test_staff_intake_refuses_disguised_content_with_a_clear_message(
    name, content, claimed, words, client, clerk_li, media
):
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [SimpleUploadedFile(name, content, content_type=claimed)]
    response = client.post(reverse("case_new"), data)
    assert response.status_code in (200, 400)
    assert words in response.content.decode()
    assert not Case.objects.exists() and files_on_disk(media) == []


def test_staff_intake_stores_real_files_with_the_detected_type_and_serves_them_as_attachments(
    client, clerk_li, media
):
    # given a real PNG that the browser calls application/octet-stream, and a real PDF
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [
        SimpleUploadedFile("现场.png", png(), content_type="application/octet-stream"),
        SimpleUploadedFile("信.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile(
            "说明.docx", docx(DOCX_TYPES, ["word/document.xml"]), content_type="application/zip"
        ),
    ]
    # when the case is registered
    assert client.post(reverse("case_new"), data).status_code == 302
    # then the types stored are the detected ones
    case = Case.objects.get()
    stored = dict(case.attachments.values_list("original_name", "content_type"))
    assert stored == {"现场.png": "image/png", "信.pdf": "application/pdf", "说明.docx": filetypes.DOCX}
    # and a download is an attachment, with nosniff
    photo = case.attachments.get(original_name="现场.png")
    response = client.get(reverse("attachment_download", args=[case.code, photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == png()


def test_a_download_whose_file_is_missing_is_a_clear_404(client, clerk_li, media):
    # given a stored attachment whose file has gone from the disk (a restore without media)
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [SimpleUploadedFile("信.pdf", PDF, content_type="application/pdf")]
    client.post(reverse("case_new"), data)
    case = Case.objects.get()
    attachment = case.attachments.get()
    attachment.file.storage.delete(attachment.file.name)  # storage-neutral: no .path on an S3 store
    # when it is downloaded; then a 404 page says the file is missing, not a 500
    client.raise_request_exception = False
    response = client.get(reverse("attachment_download", args=[case.code, attachment.pk]))
    assert response.status_code == 404
    from huiyin.desk.views import MSG_ATTACHMENT_MISSING

    assert MSG_ATTACHMENT_MISSING in response.content.decode()


# --- the citizen portal ------------------------------------------------------------------------------


@pytest.fixture
def petition(org):
    def make(**overrides):
        data = {
            "petition_type": "complaint",
            "title": "楼道漏水无人维修",
            "content": "小区3栋楼道漏水半年。",
            "territory": str(org.village.pk),
            "address": "柳林村3组",
            "name": "刘群众",
            "phone": "13800001234",
            "truthful": "on",
            "idempotency_key": uuid.uuid4().hex,
        }
        data.update(overrides)
        return data

    return make


@pytest.mark.parametrize(
    ("name", "content", "claimed", "words"),
    [a for a in ATTACKS if a.id not in ("macro-docx", "zip-that-is-no-office-file", "pdf-named-png")]
    + [
        pytest.param(
            "宏.docx", docx(DOCM_TYPES, ["word/document.xml"]), filetypes.DOCX, "含宏", id="macro-docx"
        ),
        pytest.param("图.png", PDF, "image/png", "扩展名不符", id="pdf-named-png"),
    ],
)
def test_the_portal_checks_the_content_not_only_the_extension(
    name, content, claimed, words, client, petition, media
):
    f = SimpleUploadedFile(name, content, content_type=claimed)
    response = client.post("/public/submit/", {**petition(), "attachments": [f]})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Case.objects.exists() and files_on_disk(media) == []


def test_the_portal_accepts_a_real_png_and_stores_its_detected_type(client, petition, media):
    f = SimpleUploadedFile("漏水.png", png(), content_type="application/octet-stream")
    assert client.post("/public/submit/", {**petition(), "attachments": [f]}).status_code == 302
    assert Case.objects.get().attachments.get().content_type == "image/png"
