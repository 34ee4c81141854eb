"""Codenames for returning sources (PURE: no Django).

A codename is seven words drawn with :mod:`secrets` from the EFF large wordlist (7,776 words,
CC BY 3.0 US, see ``wordlists/NOTICE``): log2(7776) × 7 ≈ 90.5 bits. It is shown to the source
once and never stored. One scrypt run (N=2^10, r=8, p=1: 1 MiB and ≈2.3 ms of a core) with a
per-deployment salt turns it into 64 bytes, from which two values are split with HMAC-SHA-256:

* ``lookup`` — stored, indexed: finds the source's record (a slow hash of the codename);
* ``reply_secret`` — never stored: the private half of the age key that replies are sealed to
  (see :mod:`crimebook.intake.replykeys`); only its public recipient is stored.

A wrong codename and an unknown one cost the same scrypt run and give the same answer.

Why N=2^10 and not SecureDrop's 2^14: the hash is slow and memory-hard to make guessing
expensive, but a codename is 90 random bits, not a password. Someone holding a seized database
needs ≈2^89 scrypt runs per codename on average — at a generous microsecond each that is
≈2·10^13 years, and 2^14 would only multiply an already impossible figure by 16. What the cost
does buy is load on the intake host on every new report, when it matters most: measured on
this 2-core machine (`benchmarks/intake.py`, idle), 2^14 ≈37 ms capped the intake at ≈60
reports/s; 2^11 (≈4.4 ms, half of a submission's server CPU) gave 180/s; 2^10 (≈2.3 ms) gives
≈230/s, above the 200/s issue 4 asks for. Changing N makes existing codenames unfindable:
bump it only together with a migration that re-keys on the next successful login.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CODENAME_WORDS",
    "CodenameKeys",
    "codename_derive",
    "codename_generate",
    "codename_normalise",
    "entropy_bits",
    "wordlist",
]

CODENAME_WORDS = 7
WORDLIST = Path(__file__).resolve().parent / "wordlists" / "eff_large.txt"
SCRYPT_N = 2**10
SCRYPT_R = 8
SCRYPT_P = 1
MAX_CODENAME_CHARS = 200
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def wordlist() -> tuple[str, ...]:
    words = tuple(w.strip() for w in WORDLIST.read_text(encoding="ascii").splitlines() if w.strip())
    if len(words) != 7776 or len(set(words)) != len(words):
        raise RuntimeError(f"codename wordlist {WORDLIST} is damaged")
    return words


def entropy_bits(words: int = CODENAME_WORDS) -> float:
    return words * math.log2(len(wordlist()))


def codename_generate(words: int = CODENAME_WORDS) -> str:
    if entropy_bits(words) < 80:
        raise ValueError("a codename needs at least 80 bits of entropy")
    choices = wordlist()
    return " ".join(secrets.choice(choices) for _ in range(words))


def codename_normalise(text: str) -> str:
    """Case, surrounding and repeated spaces do not matter when a source types it back."""
    folded = unicodedata.normalize("NFKC", text[:MAX_CODENAME_CHARS]).casefold()
    return _SPACES.sub(" ", folded).strip()


@dataclass(frozen=True)
class CodenameKeys:
    lookup: str
    reply_secret: bytes = field(repr=False)


def codename_derive(codename: str, salt: bytes) -> CodenameKeys:
    """One slow derivation per call, whatever the input (constant work for wrong codenames)."""
    material = hashlib.scrypt(
        codename_normalise(codename).encode("utf-8"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=64 * 1024 * 1024,
        dklen=64,
    )
    lookup = hmac.new(material, b"crimebook/intake/codename-lookup", hashlib.sha256).hexdigest()
    reply = hmac.new(material, b"crimebook/intake/reply-key", hashlib.sha256).digest()
    return CodenameKeys(lookup=lookup, reply_secret=reply)
