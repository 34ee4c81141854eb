"""Audit action codes and the "system" actor as the reader sees them: one mapping for every
page that lists audit entries (the history and custody tables of record pages). The log keeps
the codes; an unknown code is shown as itself."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

SYSTEM_ACTOR = "system"  # the actor name of writes without a user (CLI, jobs, migrations)

ACTION_LABELS: dict[str, Promise] = {
    "create": pgettext_lazy("audit action", "created"),
    "update": pgettext_lazy("audit action", "updated"),
    "import": pgettext_lazy("audit action", "imported"),
    "export": pgettext_lazy("audit action", "exported"),
    "ingest": pgettext_lazy("audit action", "received into the vault"),
    "ingest_failed": pgettext_lazy("audit action", "receiving failed"),
    "extract": pgettext_lazy("audit action", "metadata extracted"),
    "derive": pgettext_lazy("audit action", "derived copy made"),
    "download": pgettext_lazy("audit action", "downloaded"),
    "view_preview": pgettext_lazy("audit action", "preview viewed"),
    "timestamp": pgettext_lazy("audit action", "timestamped"),
    "verify": pgettext_lazy("audit action", "verified"),
    "link": pgettext_lazy("audit action", "linked"),
    "unlink": pgettext_lazy("audit action", "unlinked"),
    "duplicate": pgettext_lazy("audit action", "duplicate received"),
    "reindex": pgettext_lazy("audit action", "reindexed"),
    "correlate": pgettext_lazy("audit action", "correlated"),
    "accept": pgettext_lazy("audit action", "accepted"),
    "ignore": pgettext_lazy("audit action", "ignored"),
    "revoke": pgettext_lazy("audit action", "revoked"),
    "restore": pgettext_lazy("audit action", "restored"),
    "backup": pgettext_lazy("audit action", "backed up"),
    "rekey": pgettext_lazy("audit action", "re-encrypted"),
    "load": pgettext_lazy("audit action", "loaded"),
    "reveal_identity": pgettext_lazy("audit action", "identity revealed"),
    "identity_lookup": pgettext_lazy("audit action", "identity looked up"),
    "dossier_export": pgettext_lazy("audit action", "exported in a dossier"),
    "dossier_export_failed": pgettext_lazy("audit action", "dossier export failed"),
    "dossier_pdf": pgettext_lazy("audit action", "dossier PDF made"),
    "classify": pgettext_lazy("audit action", "act classified"),
    "unclassify": pgettext_lazy("audit action", "classification removed"),
    "material_add": pgettext_lazy("audit action", "added to a case"),
    "material_remove": pgettext_lazy("audit action", "removed from a case"),
    "member_add": pgettext_lazy("audit action", "member added"),
    "member_remove": pgettext_lazy("audit action", "member removed"),
    "member_set": pgettext_lazy("audit action", "member's role changed"),
    "support_add": pgettext_lazy("audit action", "supporting record added"),
    "support_remove": pgettext_lazy("audit action", "supporting record removed"),
    "job_submit": pgettext_lazy("audit action", "job submitted"),
    "job_retry": pgettext_lazy("audit action", "job retried"),
    "job_recover": pgettext_lazy("audit action", "job recovered"),
    "job_done": pgettext_lazy("audit action", "job done"),
    "job_failed": pgettext_lazy("audit action", "job failed"),
    "job_attempt_failed": pgettext_lazy("audit action", "job attempt failed"),
    "open_submission": pgettext_lazy("audit action", "submission opened"),
    "mark_submission": pgettext_lazy("audit action", "submission marked"),
    "convert_submission": pgettext_lazy("audit action", "submission converted"),
    "reply": pgettext_lazy("audit action", "reply sent"),
    "intake_unpack": pgettext_lazy("audit action", "intake unpacked"),
    "intake_pack_replies": pgettext_lazy("audit action", "replies packed"),
    "enrol_second_factor": pgettext_lazy("audit action", "second factor enrolled"),
}


def action_label(code: str) -> str:
    """The action ``code``'s label in the current language; an unknown code as itself."""
    label = ACTION_LABELS.get(code)
    return code if label is None else str(label)


def actor_label(name: str) -> str:
    """An entry's actor as shown: the "system" actor translated, a username as it is."""
    return str(pgettext_lazy("audit actor", "system")) if name == SYSTEM_ACTOR else name
