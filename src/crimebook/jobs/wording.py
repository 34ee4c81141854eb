"""What jobs say to people, in the reader's language.

A job kind says what happened as a :class:`~crimebook.jobs.registry.Message` (a key and its
parameters). The runner stores it on the job as ``message_data`` (``{"v": 1, "key": ...,
"params": {...}}``) together with its English wording in ``message`` (for API clients that
read English, the audit entry and older code); pages and the API word it again at display
time in the active language. Whole clauses are messages (``pgettext``/``npgettext`` in the
context "job message", written out in each call for ``makemessages``; named placeholders,
plural forms for counts), so a translation may order words freely. A job stored without the structure (rows from before it existed, or an
exception's own text, which no catalog can translate) or with one this code cannot read
shows its stored ``message``.

Texts taken from elsewhere (an exception's text, a parser's complaint) go into the
parameters as they are: they were already in ``message`` before, and say nothing more here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import npgettext, pgettext

from crimebook.core.wording import VERSION, Catalog, Params
from crimebook.core.wording import count as _n
from crimebook.core.wording import text as _t
from crimebook.jobs.registry import Message

__all__ = ["VERSION", "english", "job_message", "job_message_code", "register", "stored", "word"]

MESSAGES = Catalog("job message")
_WORDINGS = MESSAGES.wordings
register = MESSAGES.register  # other apps with job kinds register their keys (<app>.<what>)
word = MESSAGES.word


def english(message: Message) -> str:
    """The English wording, as kept in ``Job.message``."""
    return MESSAGES.english(message.key, message.params)


def stored(message: Message) -> dict[str, Any]:
    return MESSAGES.stored(message.key, message.params)


def job_message(job: Any) -> str:
    """The job's message in the active language; its stored English ``message`` when it has
    no structured form (older rows, an exception's text) or one that cannot be read."""
    data = getattr(job, "message_data", None)
    return MESSAGES.shown(data, str(job.message), ref=getattr(job, "pk", None))


def job_message_code(job: Any) -> str:
    """The key of the job's structured message ("" when it has none): stable for programs."""
    return MESSAGES.code(getattr(job, "message_data", None))


# --- any job --------------------------------------------------------------------------------


@register("job.unknown_kind")
def _unknown_kind(p: Params) -> str:
    return pgettext("job message", "unknown job kind '%(kind)s'") % {"kind": _t(p, "kind")}


@register("job.actor_inactive")
def _actor_inactive(p: Params) -> str:
    return pgettext("job message", "the account that asked for this job is no longer active")


@register("job.bad_parameter")
def _bad_parameter(p: Params) -> str:
    return pgettext("job message", "parameter '%(name)s' is not a record id") % {
        "name": _t(p, "name")
    }


@register("job.attempt_failed")
def _attempt_failed(p: Params) -> str:
    return pgettext("job message", "attempt %(attempt)d failed (%(error)s); will retry") % {
        "attempt": _n(p, "attempt"), "error": _t(p, "error"),
    }  # fmt: skip


@register("job.worker_stopped")
def _worker_stopped(p: Params) -> str:
    values = {"attempt": _n(p, "attempt")}
    if p["again"] is True:
        return pgettext(
            "job message", "the worker stopped during attempt %(attempt)d; queued again"
        ) % (values)
    return pgettext(
        "job message", "the worker stopped during attempt %(attempt)d; no attempts left"
    ) % (values)


# --- evidence.process -----------------------------------------------------------------------


@register("evidence.item_missing")
def _item_missing(p: Params) -> str:
    return pgettext("job message", "evidence item %(item)d does not exist") % {
        "item": _n(p, "item_id")
    }


@register("evidence.metadata_extracted")
def _metadata_extracted(p: Params) -> str:
    return pgettext("job message", "metadata extracted")


@register("evidence.no_metadata")
def _no_metadata(p: Params) -> str:
    return pgettext("job message", "no metadata for this type of file")


@register("evidence.unparsable")
def _unparsable(p: Params) -> str:
    return pgettext("job message", "the file could not be parsed: %(error)s") % {
        "error": _t(p, "error")
    }


@register("evidence.nothing_to_do")
def _nothing_to_do(p: Params) -> str:
    return pgettext("job message", "nothing to do for this item")


# --- evidence.from_intake -------------------------------------------------------------------


@register("intake.bad_submission")
def _bad_submission(p: Params) -> str:
    return pgettext("job message", "parameter 'submission' is not a submission id")


@register("intake.no_submission")
def _no_submission(p: Params) -> str:
    return pgettext("job message", "no such submission, or no access to it")


@register("intake.refused")
def _intake_refused(p: Params) -> str:
    return pgettext("job message", "the attachments were not moved: %(error)s") % {
        "error": _t(p, "error")
    }


@register("intake.summary")
def _intake_summary(p: Params) -> str:
    total = _n(p, "total")
    return npgettext(
        "job message",
        "%(count)d attachment: %(ingested)d stored, %(duplicate)d already in the vault, "
        "%(failed)d failed",
        "%(count)d attachments: %(ingested)d stored, %(duplicate)d already in the vault, "
        "%(failed)d failed",
        total,
    ) % {
        "count": total, "ingested": _n(p, "ingested"), "duplicate": _n(p, "duplicate"),
        "failed": _n(p, "failed"),
    }  # fmt: skip


# --- interchange.import ---------------------------------------------------------------------


@register("import.bad_parameters")
def _bad_import_parameters(p: Params) -> str:
    return pgettext("job message", "bad import parameters")


@register("import.file_missing")
def _file_missing(p: Params) -> str:
    return pgettext(
        "job message", "the uploaded file (evidence item %(item)d) is not in the vault"
    ) % {"item": _n(p, "item_id")}


def _kind_summary(s: Params) -> str:
    rows = _n(s, "rows")
    return npgettext(
        "job message",
        "%(kind)s: %(count)d row, %(created)d created, %(updated)d updated, "
        "%(skipped)d already imported",
        "%(kind)s: %(count)d rows, %(created)d created, %(updated)d updated, "
        "%(skipped)d already imported",
        rows,
    ) % {
        "kind": _t(s, "kind"), "count": rows, "created": _n(s, "created"),
        "updated": _n(s, "updated"), "skipped": _n(s, "skipped"),
    }  # fmt: skip


@register("import.summary")
def _import_summary(p: Params) -> str:
    summaries = p["summaries"]
    if not isinstance(summaries, list):
        raise TypeError("summaries is not a list")
    text = "; ".join(_kind_summary(s) for s in summaries) or pgettext("job message", "no rows")
    if p["dry_run"] is True:
        return pgettext(
            "job message", "dry run, every row is valid (%(summary)s); nothing was written"
        ) % {"summary": text}
    return pgettext("job message", "imported in one transaction (%(summary)s)") % {"summary": text}


@register("import.unreadable")
def _unreadable(p: Params) -> str:
    return pgettext("job message", "%(error)s Nothing was imported.") % {"error": _t(p, "error")}


@register("import.no_write_access")
def _no_write_access(p: Params) -> str:
    return pgettext("job message", "no write access to this compartment; nothing was imported")


@register("import.rejected")
def _rejected(p: Params) -> str:
    count = _n(p, "count")
    return npgettext(
        "job message",
        "%(count)d row rejected; nothing was imported (all or nothing)",
        "%(count)d rows rejected; nothing was imported (all or nothing)",
        count,
    ) % {"count": count}
