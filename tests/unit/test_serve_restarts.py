"""`cadre serve` replaces a dead worker at once, but a worker that keeps dying before it has
served a while waits longer each time (``registry.serving.Restarts``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from registry.serving import Restarts


def test_a_worker_that_keeps_crashing_waits_longer_each_time() -> None:
    restarts = Restarts(steady=30, longest=30)
    delays = [restarts.after_death(0, lived=2) for _ in range(8)]
    assert delays == [0, 1, 2, 4, 8, 16, 30, 30]
    assert restarts.after_death(1, lived=2) == 0  # another slot has its own count
    assert restarts.after_death(0, lived=45) == 0  # it served a while: at once again
    assert restarts.after_death(0, lived=1) == 1


deaths = st.lists(st.tuples(st.integers(0, 3), st.floats(0, 120)), max_size=40)


@given(deaths)
def test_delays_are_bounded_and_grow_only_while_deaths_come_quickly(
    history: list[tuple[int, float]],
) -> None:
    restarts = Restarts(steady=30, longest=30)
    last: dict[int, float] = {}
    for slot, lived in history:
        delay = restarts.after_death(slot, lived)
        assert 0 <= delay <= 30
        if slot not in last or lived >= 30:
            assert delay == 0
        else:
            assert delay >= max(1.0, last[slot])
        last[slot] = delay
