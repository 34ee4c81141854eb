"""Per-token request budget: a token bucket kept in the Django cache.

The pure core (:func:`take`) is arithmetic on a ``(tokens, stamp)`` pair; the shell
(:func:`consume`) keeps the pair in the cache under the token's id. Nothing about the
client (no address, no user agent) is stored or used: a budget belongs to a token.

The cache is shared by every server process (settings: files in the data directory, or Redis
when ``CRIMEBOOK_REDIS_URL`` is set), so several workers spend one budget. Two processes
reading the same bucket at the same instant may both spend its last request: the budget is a
bound on abuse, not an exact count.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

__all__ = ["Bucket", "Throttled", "consume", "take"]


@dataclass(frozen=True)
class Bucket:
    tokens: float
    stamp: float  # seconds (monotonic within one cache's lifetime; wall clock here)


class Throttled(Exception):
    """The token's budget is spent; try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; retry in {retry_after} s.")
        self.retry_after = retry_after


def take(
    bucket: Bucket | None, now: float, *, per_minute: float, burst: int
) -> tuple[Bucket, float]:
    """Take one request from the bucket. Returns the new bucket and 0.0 when allowed, or
    the unchanged (refilled) bucket and the seconds until one request is available."""
    rate = per_minute / 60.0
    if bucket is None:
        tokens = float(burst)
    else:
        elapsed = max(0.0, now - bucket.stamp)
        tokens = min(float(burst), bucket.tokens + elapsed * rate)
    if tokens >= 1.0:
        return Bucket(tokens - 1.0, now), 0.0
    return Bucket(tokens, now), (1.0 - tokens) / rate


def consume(token_id: int, prefix: str = "", *, now: float | None = None) -> None:
    """Spend one request of the token's budget or raise :class:`Throttled`. The key names
    the token by id and public prefix, so a reused id (a test database rolled back, a
    restore) never inherits another token's bucket."""
    per_minute = float(settings.CRIMEBOOK_API_RATE_PER_MINUTE)
    burst = int(settings.CRIMEBOOK_API_RATE_BURST)
    key = f"crimebook:api-rate:{token_id}:{prefix}"
    raw = cache.get(key)
    bucket = Bucket(*raw) if isinstance(raw, tuple) and len(raw) == 2 else None
    when = time.time() if now is None else now
    bucket, wait = take(bucket, when, per_minute=per_minute, burst=burst)
    # kept long enough to refill completely; an expired entry is a full bucket anyway
    cache.set(key, (bucket.tokens, bucket.stamp), timeout=math.ceil(burst * 60 / per_minute) + 1)
    if wait > 0:
        raise Throttled(max(1, math.ceil(wait)))
