"""Every per-process cache of the engine and the domain, registered so that all can be dropped at once.

The stored rows are the whole truth; a cache only saves work. Dropping every cache before a step
makes this process behave as a freshly started one would, which the cold test runs and
`check_instances` rely on.
"""
from collections.abc import Callable

_CLEARERS: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> Callable[[], None]:
    """Register a function that empties one per-process cache."""
    _CLEARERS.append(clear)
    return clear


def drop_all() -> None:
    """Empty every registered cache, as if this process had just started."""
    for clear in _CLEARERS:
        clear()
