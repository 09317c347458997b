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
