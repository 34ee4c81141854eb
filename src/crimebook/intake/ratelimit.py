"""A global token bucket (PURE: no Django): limits without identifying anyone.

There is one bucket per kind of request per server process, shared by everybody: it does not
look at addresses, cookies or anything else that could tell sources apart (Tor users share
exits; storing addresses is what we refuse to do). It protects the service's CPU and disk
from floods; it cannot stop one flooder from delaying others — that is the price of keeping
no identifiers, and the limits are set far above honest use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["TokenBucket"]


class TokenBucket:
    def __init__(
        self,
        *,
        per_minute: int,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(1, per_minute // 6))
        self._tokens = self.capacity
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def take(self, cost: float = 1.0) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= cost:
                self._tokens -= cost
                return True
            return False
