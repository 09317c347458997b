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
