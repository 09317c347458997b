"""Pause Python's cyclic garbage collector around bulk work that makes millions of small objects and
no reference cycles (reading a province's indicator values, scoring them, freezing them into a
run's lines). Each collection of the oldest generation walks every live container, so with the
collector on such work slows down more than linearly with its size. Reference counting still frees
everything as usual; the collector is switched back on (if it was on) however the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
