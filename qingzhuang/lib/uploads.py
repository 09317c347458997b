"""Uploaded files judged by their bytes, never by their names, and image metadata removed.

``file_kind`` names the type of a file from its first bytes (JPEG, PNG, WebP photos and PDF);
``photo_kind`` only the photos. ``strip_metadata`` returns an image without the parts that carry
metadata (EXIF with the camera, the time and the GPS position; XMP; IPTC; comments; text chunks),
keeping the picture itself untouched; other content is returned as it is.
"""

from __future__ import annotations

import struct

CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "pdf": "pdf"}
PHOTO_KINDS = ("jpeg", "png", "webp")
# How many leading bytes ``file_kind`` needs.
HEAD_BYTES = 16


def photo_kind(head: bytes) -> str | None:
    """The image type of a file by its first bytes (JPEG, PNG or WebP), or None: never by its name."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def file_kind(head: bytes) -> str | None:
    """A photo's type (``photo_kind``) or "pdf" by the first bytes, or None."""
    if kind := photo_kind(head):
        return kind
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


# JPEG segments that carry metadata: APP1 (EXIF, XMP), APP2..APP15 except APP2's colour profile
# and APP14 (Adobe colour transform, needed to decode some CMYK files), and COM (comments).
_JPEG_KEEP_APP = {0xE0, 0xEE}
_JPEG_ICC = b"ICC_PROFILE\x00"
# PNG chunks that carry text, EXIF or a timestamp.
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
# WebP chunks of metadata, and the VP8X flags that announce them.
_WEBP_DROP = {b"EXIF", b"XMP "}
_WEBP_EXIF_FLAG, _WEBP_XMP_FLAG = 0x08, 0x04


def strip_metadata(content: bytes, kind: str) -> bytes:
    """``content`` without its metadata when ``kind`` is a photo type; unchanged otherwise, and
    unchanged when the file's structure is not what its type says (it is stored as it came)."""
    try:
        if kind == "jpeg":
            return _strip_jpeg(content)
        if kind == "png":
            return _strip_png(content)
        if kind == "webp":
            return _strip_webp(content)
    except (IndexError, struct.error, ValueError):
        return content
    return content


def _strip_jpeg(content: bytes) -> bytes:
    out = bytearray(content[:2])
    at = 2
    while at < len(content):
        if content[at] != 0xFF:
            raise ValueError("not a marker")
        marker = content[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: the picture data, to the end
            out += content[at:]
            return bytes(out)
        if marker in (0x01,) or 0xD0 <= marker <= 0xD9:  # markers without a length
            out += content[at : at + 2]
            at += 2
            continue
        (length,) = struct.unpack(">H", content[at + 2 : at + 4])
        segment = content[at : at + 2 + length]
        if len(segment) < 2 + length:
            raise ValueError("truncated segment")
        is_app = 0xE0 <= marker <= 0xEF
        keep = not is_app and marker != 0xFE
        keep = keep or marker in _JPEG_KEEP_APP or (marker == 0xE2 and segment[4:16] == _JPEG_ICC)
        if keep:
            out += segment
        at += 2 + length
    return bytes(out)


def _strip_png(content: bytes) -> bytes:
    out = bytearray(content[:8])
    at = 8
    while at < len(content):
        (length,) = struct.unpack(">I", content[at : at + 4])
        chunk_type = content[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(content):
            raise ValueError("truncated chunk")
        if chunk_type not in _PNG_DROP:
            out += content[at:end]
        at = end
        if chunk_type == b"IEND":
            break
    return bytes(out)


def _strip_webp(content: bytes) -> bytes:
    body = bytearray()
    at = 12
    while at + 8 <= len(content):
        chunk_type = content[at : at + 4]
        (length,) = struct.unpack("<I", content[at + 4 : at + 8])
        end = at + 8 + length + (length & 1)
        if at + 8 + length > len(content):
            raise ValueError("truncated chunk")
        if chunk_type not in _WEBP_DROP:
            chunk = bytearray(content[at : min(end, len(content))])
            if chunk_type == b"VP8X":
                chunk[8] &= ~(_WEBP_EXIF_FLAG | _WEBP_XMP_FLAG) & 0xFF
            body += chunk
        at = end
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + bytes(body)


KIND_NAMES = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "pdf": "PDF"}


def read_files(
    files, *, max_files: int, max_bytes: int, kinds=tuple(CONTENT_TYPES)
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(kind, content) of each uploaded file whose bytes are one of ``kinds``, photos without their
    metadata (``strip_metadata``), and the problems in Chinese, each naming the file. The names of
    the files are only used in the messages: nothing keeps them."""
    files = list(files or [])
    if len(files) > max_files:
        return [], [f"文件最多{max_files}个，本次选择了{len(files)}个"]
    limit = f"{max_bytes // (1024 * 1024)}MB"
    allowed = "、".join(KIND_NAMES[k] for k in kinds)
    read, errors = [], []
    for upload in files:
        name = (getattr(upload, "name", "") or "文件")[-100:]
        size = getattr(upload, "size", None)
        if size is not None and size > max_bytes:
            errors.append(f"文件“{name}”超过{limit}")
            continue
        upload.seek(0)
        content = upload.read(max_bytes + 1)
        if len(content) > max_bytes:
            errors.append(f"文件“{name}”超过{limit}")
            continue
        kind = file_kind(content[:HEAD_BYTES])
        if kind not in kinds:
            errors.append(f"文件“{name}”不是{allowed}格式")
            continue
        if not content:
            errors.append(f"文件“{name}”是空的")
            continue
        read.append((kind, strip_metadata(content, kind)))
    return read, errors
