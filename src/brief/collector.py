"""Python's cyclic garbage collector paused while a step makes many objects that outlive it.

The collector walks every young object again and again while they pile up, and finds nothing to
free when they live on anyway: the parsed data of a build, a brief's story and canvas, a face
snapshot's tables, the modules a command imports (~8 % of a brief, ~60 ms of a cold render).
One helper for every such step, so that each says only why it pauses."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """The collector off inside, on again after unless it was off already. ``freeze``: what was made
    inside is moved out of the collector's reach for good (``gc.freeze``), for objects that live as
    long as the process (modules, classes) and, after a fork, would otherwise be copied by its walks."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()  # no collect first: it would walk them all once more (~25 ms)
        if was_on:
            gc.enable()
