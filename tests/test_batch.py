"""The shared process pool fed in weighted chunks (as lint feeds it): results in
input order, heaviest items first, and a chunk whose worker dies or raises costs
only the item that did it."""

from __future__ import annotations

import os

from harden.batch import Batch


def _square_or_fail(item: int) -> int:
    if item == 13:
        os._exit(3)  # a native crash: the worker process dies
    if item == 7:
        raise ValueError("seven")
    return item * item


def _crashed(item: int, detail: str) -> int:
    return -1000 - item if detail else -2000 - item


def test_chunks_keep_input_order_and_isolate_the_item_that_fails() -> None:
    items = list(range(20))
    batch: Batch[int, int] = Batch(_square_or_fail, _crashed, weight=float, chunks=2)
    results = batch.run(items, workers=2)
    expected = [i * i for i in items]
    expected[7] = -1007  # raised: its detail is kept
    expected[13] = -2013  # killed its worker, alone again: the bare crash
    assert results == expected


def test_heaviest_items_are_handed_out_first_in_chunks() -> None:
    batch: Batch[int, int] = Batch(_square_or_fail, _crashed, weight=float, chunks=2)
    order = batch._order(list(enumerate([3, 9, 1, 9])))
    assert [item for _, item in order] == [9, 9, 3, 1]
    assert [position for position, _ in order] == [1, 3, 0, 2]
    assert batch._chunk_size(list(enumerate(range(20))), 2) == 5
    assert Batch(_square_or_fail, _crashed)._chunk_size(list(enumerate(range(20))), 2) == 1
