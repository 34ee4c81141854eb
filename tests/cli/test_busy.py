"""A command that finds SQLite's write lock busy for the whole busy timeout (an import runs
as a job) says so and names the import, instead of a raw "database is locked" traceback."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

import crimebook.cli
import crimebook.cli.app
from crimebook.jobs.kinds import IMPORT_FILE
from crimebook.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


def _raising(exc: Exception) -> Any:
    def app() -> None:
        raise exc

    return app


def test_a_busy_database_is_a_clear_message_naming_the_running_import(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an import running as a job, and a command whose write finds the lock busy
    job = Job.objects.create(kind=IMPORT_FILE, status=Job.Status.RUNNING, attempts=1)
    monkeypatch.setattr(crimebook.cli.app, "app", _raising(OperationalError("database is locked")))
    # WHEN the command runs
    with pytest.raises(SystemExit) as exited:
        crimebook.cli.main()
    # THEN it exits 3 with a message naming the import, and no traceback
    err = capsys.readouterr().err
    assert exited.value.code == 3
    assert "the database is busy" in err and f"An import is running (job #{job.pk})" in err
    assert "Traceback" not in err and "OperationalError" not in err


def test_other_database_errors_are_not_called_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a command failing with another database error
    monkeypatch.setattr(crimebook.cli.app, "app", _raising(OperationalError("no such table: x")))
    # WHEN it runs THEN that error is raised as it is
    with pytest.raises(OperationalError, match="no such table"):
        crimebook.cli.main()
