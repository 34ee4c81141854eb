"""Reply keys derived from a source's codename (PURE: no Django).

This is the **only** module of the intake that constructs an age identity or decrypts, and it
does so only with a key derived from a codename the source has just typed
(:func:`crimebook.intake.codenames.codename_derive`). Organisation keys never reach the intake
host; submissions are sealed to them and not to the source, so a codename opens the replies
written to that source and nothing else — not even the source's own submission.

An age X25519 identity is 32 secret bytes written in Bech32 (BIP 173, without its 90-character
limit, as age does) with the prefix ``AGE-SECRET-KEY-``; the encoding below is that standard
checksummed encoding, not cryptography.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyrage
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyrage import x25519

__all__ = ["ReplyOpenError", "reply_open", "reply_recipient", "reply_seal"]

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class ReplyOpenError(Exception):
    """A reply could not be opened with this codename's key."""


def _polymod(values: Sequence[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= _GENERATOR[i] if ((top >> i) & 1) else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _to_5bit(data: bytes) -> list[int]:
    acc, bits, out = 0, 0, []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def bech32_encode(hrp: str, data: bytes) -> str:
    values = _to_5bit(data)
    polymod = _polymod([*_hrp_expand(hrp), *values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in values + checksum)


def _identity(secret: bytes) -> x25519.Identity:
    if len(secret) != 32:
        raise ValueError("a reply key is 32 bytes")
    return x25519.Identity.from_str(bech32_encode("age-secret-key-", secret).upper())


def reply_recipient(secret: bytes) -> str:
    """The public age recipient (``age1…``) stored for a source; replies are sealed to it.

    Computed with the X25519 primitive of ``cryptography`` (public key = X25519(secret, 9)),
    so that taking a report never constructs an identity; equal to ``to_public()`` of the
    identity (a test checks it)."""
    if len(secret) != 32:
        raise ValueError("a reply key is 32 bytes")
    public = X25519PrivateKey.from_private_bytes(secret).public_key()
    return bech32_encode("age", public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def reply_seal(text: str, recipient: str) -> bytes:
    """Seal a reply to a source's recipient (used by the workspace; needs no secret)."""
    return bytes(pyrage.encrypt(text.encode("utf-8"), [x25519.Recipient.from_str(recipient)]))


def reply_open(secret: bytes, sealed: bytes) -> str:
    try:
        return bytes(pyrage.decrypt(sealed, [_identity(secret)])).decode("utf-8")
    except Exception as exc:  # pyrage.DecryptError, UnicodeDecodeError
        raise ReplyOpenError("reply cannot be opened with this codename") from exc
