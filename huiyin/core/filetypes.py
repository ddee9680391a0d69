"""What an uploaded file really is, read from its bytes (issue 9, hole 10).

The browser's Content-Type and the file name are the uploader's claims: an HTML page named
"photo.jpg", an SVG with `onload`, or an .exe sent as application/pdf passed them. Attachments are
checked here against an allow-list of signatures (magic bytes), and the type stored is the detected
one. Active content — HTML, SVG, XML, script — is refused wherever it sits: at the start (also behind
a BOM or whitespace) or inside an otherwise valid file (a polyglot).

A small explicit table rather than a detection library: the allow-list is a dozen formats, every
entry here is also a decision (which ZIPs are Office documents, which MP4 brands are audio), and the
refusals a library does not make — markup inside an image, a macro-enabled document — need this code
anyway. Signatures: the formats' own specifications (PNG §5.2, JFIF/EXIF SOI, GIF89a, RIFF WAVE/WEBP,
ISO-BMFF `ftyp`, RFC 4867 AMR, ISO 32000 `%PDF-`, MS-CFB, ECMA-376 [Content_Types].xml).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

# The types attachments may have, with the extensions each may be named with.
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
EXTENSIONS: dict[str, frozenset[str]] = {
    "image/jpeg": frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    "image/png": frozenset({".png"}),
    "image/gif": frozenset({".gif"}),
    "image/webp": frozenset({".webp"}),
    "application/pdf": frozenset({".pdf"}),
    "audio/mpeg": frozenset({".mp3"}),
    "audio/mp4": frozenset({".m4a", ".mp4", ".aac"}),
    "video/mp4": frozenset({".mp4", ".m4v", ".mov"}),
    "audio/amr": frozenset({".amr"}),
    "audio/wav": frozenset({".wav"}),
    "text/plain": frozenset({".txt"}),
    "application/msword": frozenset({".doc", ".xls", ".ppt", ".wps"}),
    DOCX: frozenset({".docx"}),
    XLSX: frozenset({".xlsx"}),
    PPTX: frozenset({".pptx"}),
}
ALLOWED_TYPES = frozenset(EXTENSIONS)

# Markup a browser would run if it ever rendered the file; never in a legitimate attachment's bytes
# (compressed streams in PDF and Office files do not show them in the clear).
ACTIVE_MARKERS = (
    b"<script",
    b"<html",
    b"<svg",
    b"<!doctype",
    b"<iframe",
    b"<body",
    b"<?xml-stylesheet",
    b"<object",
    b"<embed",
    b"<meta http-equiv",
)
_MARKER_OVERLAP = max(len(m) for m in ACTIVE_MARKERS)
_CHUNK = 1 << 20
_OFFICE_MAIN_PARTS = {
    "/word/document.xml": DOCX,
    "/xl/workbook.xml": XLSX,
    "/ppt/presentation.xml": PPTX,
}
# Windows PE ("MZ"), ELF, Mach-O (both byte orders, 32/64-bit and fat), and scripts ("#!" but not AMR's "#!AMR").
_EXECUTABLES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!/",
    b"#! /",
)
_MP4_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"F4A "}
_MP4_VIDEO_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"qt  ", b"3gp4", b"3gp5", b"3g2a"}


@dataclass(frozen=True)
class Refusal:
    """Why a file is refused, in words the uploader can act on."""

    message: str


MSG_ACTIVE = "“{name}”含有网页或脚本内容（HTML/SVG），不能作为附件上传"
MSG_UNKNOWN = (
    "“{name}”的文件类型不被接受：内容须为图片（JPEG/PNG/GIF/WebP）、PDF、录音、文本或 Word/Excel 文件"
)
MSG_EXECUTABLE = "“{name}”是可执行程序，文件类型不被接受"
MSG_MISMATCH = "“{name}”的内容（{detected}）与文件扩展名不符，请确认文件后重新上传"
MSG_MACRO = "“{name}”是含宏的 Office 文件，不能作为附件上传"


def _head(data: bytes) -> bytes:
    """The first bytes without a byte-order mark and leading whitespace."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if data.startswith(bom):
            data = data[len(bom) :]
            break
    return data.lstrip(b" \t\r\n\f\v\x00")


def _has_active_markup(f: IO[bytes]) -> bool:
    f.seek(0)
    tail = b""
    while chunk := f.read(_CHUNK):
        window = (tail + chunk).lower()
        # UTF-16 text hides markup between NULs; look at it without them too
        if any(m in window or m in window.replace(b"\x00", b"") for m in ACTIVE_MARKERS):
            return True
        tail = window[-_MARKER_OVERLAP * 2 :]
    return False


def _office_type(f: IO[bytes]) -> str | Refusal | None:
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError):
        return None
    if "macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        return Refusal(MSG_MACRO)
    for part, ctype in _OFFICE_MAIN_PARTS.items():
        if f'PartName="{part}"' in types and part.lstrip("/") in names:
            return ctype
    return None


def _is_plain_text(data: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(ord(c) < 32 and c not in "\t\r\n\f" for c in text)
    return False


def _by_signature(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return "audio/amr"
    if head.startswith(b"ID3") or (
        len(head) > 2 and head[0] == 0xFF and head[1] & 0xE6 in (0xE2, 0xE4, 0xE6)
    ):
        return "audio/mpeg"  # an ID3 tag, or an MPEG audio frame sync with layer I-III
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _MP4_AUDIO_BRANDS:
            return "audio/mp4"
        if brand in _MP4_VIDEO_BRANDS:
            return "video/mp4"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"  # MS-CFB: .doc/.xls/.ppt/WPS of the Office 97 era
    return None


def detect(f: IO[bytes], name: str) -> str | Refusal:
    """The allowed content type of the upload `f` named `name`, or why it is refused. Rewinds `f`."""
    try:
        f.seek(0)
        raw = f.read(8192)
        head = _head(raw)
        if head[:1] == b"<" or _has_active_markup(f):
            return Refusal(MSG_ACTIVE.format(name=name))
        ext = name[name.rfind(".") :].lower() if "." in name else ""
        if raw.startswith(_EXECUTABLES):
            return Refusal(MSG_EXECUTABLE.format(name=name))
        if raw.startswith(b"PK\x03\x04"):
            detected: str | Refusal | None = _office_type(f)
        else:
            detected = _by_signature(raw)
            # plain text has no signature: only a file that says it is text (.txt) is read as one
            if detected is None and raw and ext == ".txt" and _is_plain_text(_whole(f)):
                detected = "text/plain"
        if isinstance(detected, Refusal):
            return Refusal(detected.message.format(name=name))
        if detected is None:
            return Refusal(MSG_UNKNOWN.format(name=name))
        if detected == "video/mp4" and ext in (".m4a", ".aac"):
            detected = "audio/mp4"  # phones write voice memos with the generic mp42/isom brands
        # a name saying otherwise (photo.html, scan.exe) would open as that once downloaded
        if ext and ext not in EXTENSIONS[detected]:
            return Refusal(MSG_MISMATCH.format(name=name, detected=detected))
        return detected
    finally:
        f.seek(0)


def _whole(f: IO[bytes]) -> bytes:
    """A text attachment is read whole to check its encoding (they are small: limits apply earlier)."""
    f.seek(0)
    return f.read()
