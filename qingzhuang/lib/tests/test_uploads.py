import struct

from qingzhuang.lib import uploads


def jpeg_with_exif() -> bytes:
    exif = b"Exif\x00\x00GPS-30.1-114.2"
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    com = b"\xff\xfe" + struct.pack(">H", 9) + b"comment"
    dqt = b"\xff\xdb" + struct.pack(">H", 4) + b"\x00\x01"
    scan = b"\xff\xda" + struct.pack(">H", 4) + b"\x00\x00" + b"\x12\x34\xff\xd9"
    return b"\xff\xd8" + app0 + app1 + com + dqt + scan


def test_kinds_by_bytes_not_names():
    assert uploads.file_kind(b"\xff\xd8\xff\xe0") == "jpeg"
    assert uploads.file_kind(b"\x89PNG\r\n\x1a\n....") == "png"
    assert uploads.file_kind(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert uploads.file_kind(b"%PDF-1.7\n") == "pdf"
    assert uploads.file_kind(b"<html>") is None
    assert uploads.photo_kind(b"%PDF-1.7\n") is None


def test_jpeg_loses_exif_and_comments_keeps_picture():
    original = jpeg_with_exif()
    stripped = uploads.strip_metadata(original, "jpeg")
    assert b"Exif" not in stripped and b"GPS" not in stripped and b"comment" not in stripped
    assert b"JFIF" in stripped and stripped.endswith(b"\x12\x34\xff\xd9") and stripped.startswith(b"\xff\xd8")


def test_png_loses_text_chunks():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + b"\x00\x00\x00\x00"

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", b"x" * 13)
        + chunk(b"tEXt", b"Author\x00me")
        + chunk(b"eXIf", b"gps")
        + chunk(b"IDAT", b"data")
        + chunk(b"IEND", b"")
    )
    stripped = uploads.strip_metadata(png, "png")
    assert b"tEXt" not in stripped and b"eXIf" not in stripped and b"IDAT" in stripped and b"IEND" in stripped


def test_webp_loses_exif_and_its_flag():
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes([0x08 | 0x04]) + b"\x00" * 9
    exif = b"EXIF" + struct.pack("<I", 3) + b"gps\x00"
    image = b"VP8 " + struct.pack("<I", 4) + b"data"
    body = b"WEBP" + vp8x + exif + image
    webp = b"RIFF" + struct.pack("<I", len(body)) + body
    stripped = uploads.strip_metadata(webp, "webp")
    assert b"EXIF" not in stripped and b"gps" not in stripped and b"VP8 " in stripped
    assert stripped[20] == 0 and struct.unpack("<I", stripped[4:8])[0] == len(stripped) - 8


def test_broken_files_are_kept_as_they_came():
    assert uploads.strip_metadata(b"\xff\xd8\xff\xe1\x00", "jpeg") == b"\xff\xd8\xff\xe1\x00"
    assert uploads.strip_metadata(b"%PDF-1.4 whatever", "pdf") == b"%PDF-1.4 whatever"
