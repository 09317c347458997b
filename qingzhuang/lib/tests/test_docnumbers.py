import pytest

from qingzhuang.lib.docnumbers import find_doc_number, format_doc_number, normalize_doc_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("青政办发〔2025〕3号", "青政办发〔2025〕3号"),
        ("青政办发[2025]3号", "青政办发〔2025〕3号"),
        ("青政办发【2025】3号", "青政办发〔2025〕3号"),
        ("青政办发(2025)3号", "青政办发〔2025〕3号"),
        ("青政办发（2025）03号", "青政办发〔2025〕3号"),
        ("青政办发 〔２０２５〕 第３号", "青政办发〔2025〕3号"),
        ("青政办发［2025］3号", "青政办发〔2025〕3号"),
        ("〔2025〕3号", "〔2025〕3号"),
        ("文号：青减负发〔2025〕12345号", "青减负发〔2025〕12345号"),
        ("青政办发 2025 3", "青政办发20253"),
        ("", ""),
    ],
)
def test_normalize_doc_number(text, expected):
    """The canonical form (the behaviour of the structure module's normaliser)."""
    assert normalize_doc_number(text) == expected


def test_normalising_is_idempotent():
    for text in ("青政办发（2025）03号", "青政办发 2025 3", "〔2025〕3号"):
        assert normalize_doc_number(normalize_doc_number(text)) == normalize_doc_number(text)


def test_search_query_needs_an_agency():
    """A query names a document only with its agency code (the behaviour of search)."""
    match = find_doc_number("江南办发〔2024〕21号第十条", agency_required=True)
    assert match.group(0) == "江南办发〔2024〕21号"
    assert format_doc_number(match) == "江南办发〔2024〕21号"
    assert find_doc_number("〔2025〕3号有哪些要求", agency_required=True) is None
    assert find_doc_number("〔2025〕3号有哪些要求").group(0) == "〔2025〕3号"


def test_query_forms():
    match = find_doc_number("查一下青减负发（2025）第３号的规定", agency_required=True)
    assert (
        format_doc_number(match) == "查一下青减负发〔2025〕3号"
    )  # Chinese text glued to the code stays in it
    match = find_doc_number("查一下 青减负发（2025）第３号 的规定", agency_required=True)
    assert format_doc_number(match) == "青减负发〔2025〕3号"


@pytest.mark.parametrize(
    "text", ["青发〔2025〕号", "青发〔1899〕3号", "青发2025年3号", "青发〔2025〕123456号", "第三条"]
)
def test_not_a_doc_number(text):
    assert find_doc_number(text) is None
