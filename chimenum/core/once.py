"""Values by key, each computed once however many jobs of the pool ask for it at the same time.

The concurrency engine's (:mod:`chimenum.core.pool`) other primitive: a related resource asked
for by many numbers of a batch is fetched once, and a retry is due at one time for every asker.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from chimenum.core.pool import Again

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

__all__ = ["Once"]


class _Entry:
    """One key's state: being computed (``busy``), done (``value`` or ``error``), or due again
    at ``due`` after ``tries`` tries."""

    __slots__ = ("busy", "due", "error", "has_value", "tries", "value")

    def __init__(self) -> None:
        self.busy: threading.Event | None = None
        self.due = 0.0
        self.tries = 0
        self.has_value = False
        self.value: object = None
        self.error: BaseException | None = None


class Once(Generic[K, R]):
    """Values by key, each computed once: the first asker computes it, askers meanwhile wait for
    that computation instead of starting their own, later askers get the value kept.

    ``compute(tries)`` may raise :class:`Again`: every asker until then is told the same, and
    the first asker after it computes again (``tries`` counts the tries before). At most
    ``max_entries`` keys are kept, the oldest dropped first, so memory stays flat.
    """

    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, _Entry] = OrderedDict()

    def known(self, key: K) -> R | None:
        """The value kept for ``key``, if there is one; never computes nor waits."""
        with self._lock:
            entry = self._entries.get(key)
            return entry.value if entry is not None and entry.has_value else None  # type: ignore[return-value]

    def get(self, key: K, compute: Callable[[int], R]) -> R:
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is None:
                    entry = self._entries[key] = _Entry()
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
                busy = entry.busy
                if busy is None:
                    if entry.has_value:
                        return entry.value  # type: ignore[return-value]
                    if entry.error is not None:
                        raise entry.error
                    if entry.tries and self.clock() < entry.due:
                        raise Again(entry.due)
                    busy = entry.busy = threading.Event()
                    owner = True
                else:
                    owner = False
            if not owner:
                # The computation is a single request in flight on another worker.
                busy.wait()
                continue
            try:
                value = compute(entry.tries)
            except Again as again:
                with self._lock:
                    entry.tries += 1
                    entry.due = again.at
                raise
            except BaseException as exc:
                # Askers waiting for this computation see the same end, never a wait that
                # lasts forever.
                with self._lock:
                    entry.error = exc
                raise
            else:
                with self._lock:
                    entry.value, entry.has_value = value, True
                return value
            finally:
                with self._lock:
                    entry.busy = None
                busy.set()
