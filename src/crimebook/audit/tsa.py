"""RFC 3161 trusted timestamps for the audit chain's head (PURE: no Django).

What is stamped: the *stamped data* is the head entry's hash exactly as stored — its 64
lowercase hexadecimal characters, ASCII, no newline — and the message imprint sent to the
time-stamping authority (TSA) is SHA-256 over those 64 bytes::

    imprint = SHA-256(ascii(entry_hash))        entry_hash = SHA-256(canonical JSON of the entry)

so anyone can check a token with stock tools::

    printf %s <entry_hash> > head.txt
    openssl ts -verify -data head.txt -in token.tsr -token_in -CAfile tsa-ca.pem

Requests and responses are built and parsed with ``asn1crypto`` (``tsp``/``cms``): the request
asks for the TSA's certificate and carries a random 64-bit nonce. A response is accepted only
if its status is granted, its TSTInfo's imprint is SHA-256 over the stamped data and its nonce
is ours. The CMS signature, the certificate chain up to the configured CA bundle, the
critical ``timeStamping`` extended key usage and the ESS signing-certificate attribute are
checked by ``openssl ts -verify`` run as a subprocess (asn1crypto parses but does not verify,
and ``cryptography`` has no CMS verification): OpenSSL's TS code is the reference
implementation of exactly these rules, and nothing here re-implements a crypto primitive.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import cms, tsp

__all__ = [
    "MAX_RESPONSE_BYTES",
    "TimestampError",
    "TokenInfo",
    "build_request",
    "imprint_of",
    "new_nonce",
    "parse_response",
    "parse_token",
    "post_query",
    "request_token",
    "stamped_data",
    "verify_token",
]

MAX_RESPONSE_BYTES = 1024 * 1024
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
_GRANTED = {"granted", "granted_with_mods"}


class TimestampError(Exception):
    """A token could not be obtained or does not verify; the message says why."""


@dataclass(frozen=True)
class TokenInfo:
    """What a token says (from its TSTInfo), and the token itself (DER ContentInfo)."""

    token: bytes
    imprint: bytes
    hash_algorithm: str
    gen_time: datetime
    policy: str
    serial: int
    nonce: int | None
    tsa_name: str


def stamped_data(head_hash: str) -> bytes:
    """The bytes a token for this head hash stamps (see the module docstring)."""
    if len(head_hash) != 64 or any(c not in "0123456789abcdef" for c in head_hash):
        raise TimestampError("the head hash is not a SHA-256 hex digest")
    return head_hash.encode("ascii")


def imprint_of(head_hash: str) -> bytes:
    return hashlib.sha256(stamped_data(head_hash)).digest()


def new_nonce() -> int:
    return secrets.randbits(63) | 1  # positive and never zero


def build_request(imprint: bytes, nonce: int) -> bytes:
    """A DER TimeStampReq for a SHA-256 imprint, asking for the TSA's certificate."""
    if len(imprint) != 32:
        raise TimestampError("a SHA-256 imprint has 32 bytes")
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": imprint,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return bytes(request.dump())


def post_query(url: str, query: bytes, *, timeout: float = 20.0) -> bytes:
    """POST a query (``application/timestamp-query``) and return the reply's bytes."""
    if not url.startswith(("https://", "http://")):
        raise TimestampError(f"not an http(s) URL: {url[:80]!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=query, method="POST", headers={"Content-Type": QUERY_TYPE}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
            body: bytes = reply.read(MAX_RESPONSE_BYTES + 1)
            content_type = reply.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"time-stamping authority answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TimestampError(f"time-stamping authority unreachable: {reason}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise TimestampError("time-stamping authority's answer is too large")
    if content_type not in (REPLY_TYPE, "application/timestamp-response"):  # the latter: old TSAs
        raise TimestampError(f"time-stamping authority answered {content_type!r}, not {REPLY_TYPE}")
    return body


def _tst_info(token: cms.ContentInfo) -> tsp.TSTInfo:
    if token["content_type"].native != "signed_data":
        raise TimestampError("the token is not CMS signed data")
    encap = token["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise TimestampError("the token does not hold a TSTInfo")
    info = encap["content"].parsed
    if not isinstance(info, tsp.TSTInfo):
        raise TimestampError("the token does not hold a TSTInfo")
    return info


def _info(token_der: bytes, token: cms.ContentInfo) -> TokenInfo:
    tst = _tst_info(token)
    imprint = tst["message_imprint"]
    nonce = tst["nonce"].native
    tsa = tst["tsa"]
    try:
        tsa_name = "" if not tsa or tsa.native is None else str(tsa.chosen.human_friendly)
    except (ValueError, AttributeError):
        tsa_name = ""
    gen_time = tst["gen_time"].native
    if not isinstance(gen_time, datetime):
        raise TimestampError("the token has no generation time")
    return TokenInfo(
        token=token_der,
        imprint=bytes(imprint["hashed_message"].native),
        hash_algorithm=str(imprint["hash_algorithm"]["algorithm"].native),
        gen_time=gen_time.astimezone(UTC),
        policy=str(tst["policy"].dotted),
        serial=int(tst["serial_number"].native),
        nonce=None if nonce is None else int(nonce),
        tsa_name=tsa_name[:300],
    )


def parse_token(token_der: bytes) -> TokenInfo:
    """Parse a stored token (DER ContentInfo) — structure only, no signature check."""
    try:
        token = cms.ContentInfo.load(token_der, strict=True)
        return _info(token_der, token)
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise TimestampError(f"not a time-stamp token: {str(exc)[:200]}") from None


def parse_response(reply: bytes) -> TokenInfo:
    """The token of a granted TimeStampResp, or :class:`TimestampError` saying why not."""
    try:
        response = tsp.TimeStampResp.load(reply, strict=True)
        status = response["status"]["status"].native
        token = response["time_stamp_token"]
        if status not in _GRANTED:
            text = response["status"]["status_string"].native or []
            detail = "; ".join(str(t) for t in text)[:200]
            raise TimestampError(f"time-stamping authority refused: {status} {detail}".strip())
        if not isinstance(token, cms.ContentInfo) or token.native is None:
            raise TimestampError("granted answer without a token")
        return _info(bytes(token.dump()), token)
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise TimestampError(f"not a time-stamp response: {str(exc)[:200]}") from None


def _openssl() -> str:
    found = shutil.which("openssl")
    if found is None:
        raise TimestampError("openssl is not installed; it verifies the token's signature")
    return found


def verify_token(
    info: TokenInfo,
    head_hash: str,
    ca_file: Path,
    *,
    nonce: int | None = None,
    at_token_time: bool = False,
    timeout: float = 30.0,
) -> None:
    """Check that a token stamps this head hash (imprint, SHA-256), carries ``nonce`` when
    given, and is signed by a time-stamping certificate that chains to ``ca_file``.

    With ``at_token_time`` the certificates are checked as of the token's generation time
    (``-attime``), so a stored token still verifies after the TSA's certificate expired —
    the usual rule for archived timestamps; a fresh token is checked as of now."""
    if info.hash_algorithm != "sha256":
        raise TimestampError(f"token uses {info.hash_algorithm}, not SHA-256")
    expected = imprint_of(head_hash)
    if info.imprint != expected:
        raise TimestampError("token stamps another hash (message imprint differs)")
    if nonce is not None and info.nonce != nonce:
        raise TimestampError("token's nonce is not the one we sent (replayed or mixed up)")
    if not ca_file.is_file():
        raise TimestampError(f"CA bundle {ca_file} does not exist (CRIMEBOOK_TSA_CA_FILE)")
    with tempfile.TemporaryDirectory(prefix="crimebook-tsa-") as tmp:
        token_path = Path(tmp) / "token.der"
        token_path.write_bytes(info.token)
        when = ["-attime", str(int(info.gen_time.timestamp()))] if at_token_time else []
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [_openssl(), "ts", "-verify", "-token_in", "-in", str(token_path),
                 "-digest", expected.hex(), "-CAfile", str(ca_file), *when],
                capture_output=True, timeout=timeout, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise TimestampError("openssl ts -verify timed out") from None
    if done.returncode != 0 or b"Verification: OK" not in done.stdout:
        detail = _openssl_reason(done.stderr.decode("utf-8", "replace"))
        raise TimestampError(f"signature or certificate does not verify: {detail}")


def _openssl_reason(stderr: str) -> str:
    """The most telling line of openssl's error output, short."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "error:" in line and ":" in line:
            return line.rsplit(":", 1)[-1].strip()[:200] or line[:200]
    return (lines[-1] if lines else "openssl failed")[:200]


def request_token(url: str, head_hash: str, ca_file: Path, *, timeout: float = 20.0) -> TokenInfo:
    """Ask one authority for a token over ``head_hash`` and verify it completely."""
    nonce = new_nonce()
    query = build_request(imprint_of(head_hash), nonce)
    info = parse_response(post_query(url, query, timeout=timeout))
    verify_token(info, head_hash, ca_file, nonce=nonce)
    return info
