"""Trusted timestamps of the audit chain's head: obtain (a write, audited) and verify (a read).

The pure protocol work — request, response, imprint, nonce, signature — is in
:mod:`crimebook.audit.tsa`; this module adapts it to the chain and the ``AuditTimestamp``
table. A token is stored only after it verified completely; a failure stores nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from crimebook.audit.chain import ChainReport
from crimebook.audit.models import AuditEntry, AuditTimestamp
from crimebook.audit.selectors import audit_chain_verify
from crimebook.audit.services import audit_record
from crimebook.audit.tsa import TimestampError, parse_token, request_token, verify_token

__all__ = [
    "StampOutcome",
    "TimestampCheck",
    "TimestampError",
    "audit_timestamp_obtain",
    "audit_timestamps_latest",
    "audit_timestamps_verify",
    "display_url",
]

OBJECT_TYPE = "audit.timestamp"


@dataclass(frozen=True)
class StampOutcome:
    url: str
    ok: bool
    timestamp_id: int | None = None
    head_seq: int = 0
    head_hash: str = ""
    gen_time: str = ""
    reason: str = ""


@dataclass(frozen=True)
class TimestampCheck:
    timestamp_id: int
    head_seq: int
    url: str
    gen_time: str
    ok: bool
    reason: str = ""


def display_url(url: str) -> str:
    """The URL without any user information (never stored or shown with credentials)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    return parts._replace(netloc=host).geturl()[:500]


def _ca_file(ca_file: Path | None) -> Path:
    path = ca_file or getattr(settings, "CRIMEBOOK_TSA_CA_FILE", None)
    if not path:
        raise TimestampError(
            "no CA bundle for time-stamping authorities: set CRIMEBOOK_TSA_CA_FILE"
        )
    return Path(path)


def _urls(urls: Sequence[str] | None) -> list[str]:
    found = list(urls if urls is not None else getattr(settings, "CRIMEBOOK_TSA_URLS", []) or [])
    if not found:
        raise TimestampError("no time-stamping authority: set CRIMEBOOK_TSA_URLS")
    return found


def audit_timestamp_obtain(
    *,
    urls: Sequence[str] | None = None,
    ca_file: Path | None = None,
    timeout: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[StampOutcome]:
    """Verify the chain, then ask each authority for a token over its head hash, verify the
    token (imprint, nonce, signature and certificate chain to the CA bundle) and store it
    with an audit entry. One outcome per authority; a failed one stored nothing. A broken
    chain is never stamped."""
    targets = _urls(urls)
    bundle = _ca_file(ca_file)
    if not bundle.is_file():
        raise TimestampError(f"CA bundle {bundle} does not exist (CRIMEBOOK_TSA_CA_FILE)")
    seconds = float(timeout or getattr(settings, "CRIMEBOOK_TSA_TIMEOUT", None) or 20.0)
    report = audit_chain_verify(progress=progress)
    if not report.ok:
        raise TimestampError(f"the audit chain is broken ({report.first_break}); not stamping it")
    if report.entries == 0:
        raise TimestampError("the audit log is empty; nothing to stamp")
    outcomes = []
    for url in targets:
        shown = display_url(url)
        try:
            info = request_token(url, report.head_hash, bundle, timeout=seconds)
        except TimestampError as exc:
            outcomes.append(StampOutcome(shown, False, reason=str(exc)))
            continue
        with transaction.atomic():
            stamp = AuditTimestamp.objects.create(
                head_seq=report.entries,
                head_hash=report.head_hash,
                tsa_url=shown,
                tsa_name=info.tsa_name,
                token=info.token,
                gen_time=info.gen_time,
                policy=info.policy[:100],
                serial=str(info.serial)[:64],
                nonce="" if info.nonce is None else str(info.nonce),
            )
            audit_record(
                actor=None,
                action="timestamp",
                object_type=OBJECT_TYPE,
                object_id=stamp.pk,
                changes={
                    "head_seq": report.entries,
                    "head_hash": report.head_hash,
                    "tsa": shown,
                    "gen_time": info.gen_time.isoformat(),
                    "serial": str(info.serial),
                    "policy": info.policy,
                    "token_sha256": hashlib.sha256(info.token).hexdigest(),
                },
            )
        outcomes.append(
            StampOutcome(
                shown, True, stamp.pk, report.entries, report.head_hash, info.gen_time.isoformat()
            )
        )
    return outcomes


def _check(stamp: AuditTimestamp, chain: ChainReport, bundle: Path | None) -> str:
    """Why a stored token no longer holds, or "" when it does."""
    entry = AuditEntry.objects.filter(seq=stamp.head_seq).only("entry_hash").first()
    if entry is None:
        return f"stamped entry #{stamp.head_seq} is missing (log truncated or deleted)"
    if entry.entry_hash != stamp.head_hash:
        return f"stamped entry #{stamp.head_seq} has changed since it was stamped"
    if chain.first_break is not None and chain.first_break.seq <= stamp.head_seq:
        return f"stamped entry is no longer in a valid chain ({chain.first_break})"
    try:
        info = parse_token(bytes(stamp.token))
    except TimestampError as exc:
        return str(exc)
    if str(info.serial) != stamp.serial or info.gen_time != stamp.gen_time:
        return "stored serial or time differs from the token's"
    if bundle is None:
        return "cannot check the signature: set CRIMEBOOK_TSA_CA_FILE"
    try:
        verify_token(info, stamp.head_hash, bundle, at_token_time=True)
    except TimestampError as exc:
        return str(exc)
    return ""


def audit_timestamps_verify(
    chain: ChainReport, *, ca_file: Path | None = None
) -> list[TimestampCheck]:
    """Check every stored token: its stamped entry still exists with the same hash inside
    the valid part of the chain, and the token verifies (imprint, signature, certificate)."""
    configured = ca_file or getattr(settings, "CRIMEBOOK_TSA_CA_FILE", None)
    bundle = Path(configured) if configured else None
    checks = []
    for stamp in AuditTimestamp.objects.order_by("head_seq", "id").iterator():
        reason = _check(stamp, chain, bundle)
        checks.append(
            TimestampCheck(
                stamp.pk,
                stamp.head_seq,
                stamp.tsa_url,
                stamp.gen_time.isoformat(),
                not reason,
                reason,
            )
        )
    return checks


def audit_timestamps_latest(limit: int = 5) -> list[AuditTimestamp]:
    return list(AuditTimestamp.objects.defer("token").order_by("-head_seq", "-id")[:limit])
