from qingzhuang.lib.paging import Mapped


class Counting(list):
    """A list that counts like a queryset and records the slices taken."""

    def __init__(self, items):
        super().__init__(items)
        self.slices = []

    def count(self):
        return len(self)

    def __getitem__(self, key):
        self.slices.append(key)
        return list.__getitem__(self, key)


def test_maps_only_the_slice_asked_for():
    rows = Counting(range(10))
    seen = []
    mapped = Mapped(rows, lambda n: seen.append(n) or n * 2)
    assert len(mapped) == 10
    assert mapped[2:4] == [4, 6]
    assert seen == [2, 3] and rows.slices == [slice(2, 4)]


def test_plain_lists_are_measured_with_len():
    assert len(Mapped([1, 2, 3], str)) == 3 and Mapped([1, 2, 3], str)[0:2] == ["1", "2"]


def test_paging_errors_name_each_out_of_range_value():
    from qingzhuang.lib.paging import MAX_POSITION, paging_errors

    assert paging_errors(limit=1000, offset=MAX_POSITION, after=0, before=1) == {}
    assert paging_errors() == {}
    assert paging_errors(limit=1001, offset=MAX_POSITION + 1, after=-1, before=0) == {
        "limit": ["每页条数 limit 应为 1 到 1000 之间的整数"],
        "offset": [f"起始位置 offset 应为 0 到 {MAX_POSITION} 之间的整数"],
        "after": [f"翻页位置 after 应为 0 到 {MAX_POSITION} 之间的整数"],
        "before": [f"翻页位置 before 应为 1 到 {MAX_POSITION} 之间的整数"],
    }
    assert paging_errors(limit=51, max_limit=50) == {"limit": ["每页条数 limit 应为 1 到 50 之间的整数"]}


# ---- numbered pages


def test_page_numbers_and_links():
    from qingzhuang.lib.paging import page_numbers

    page = page_numbers("10", total=1000, per_page=50)
    assert (page.number, page.pages, page.offset, page.first_row, page.last_row) == (10, 20, 450, 451, 500)
    assert page.links() == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_numbers("1", total=1000, per_page=50).links() == [1, 2, 3, None, 20]
    # A gap of one page shows the page, not an ellipsis.
    assert page_numbers("5", total=1000, per_page=50).links() == [1, 2, 3, 4, 5, 6, 7, None, 20]
    empty = page_numbers("", total=0, per_page=50)
    assert (empty.number, empty.pages, empty.first_row, empty.links()) == (1, 1, 0, [1])


def test_page_number_out_of_range_names_the_pages():
    import pytest

    from qingzhuang.lib.paging import PageOutOfRange, page_numbers

    for bad in ("0", "21", "-1", "x", "1.5", "²", str(2**63), str(10**30)):
        with pytest.raises(PageOutOfRange) as caught:
            page_numbers(bad, total=1000, per_page=50)
        assert caught.value.message == "页码 page 应为 1 到 20 之间的整数"
