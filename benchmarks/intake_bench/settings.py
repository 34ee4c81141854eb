"""Intake settings plus one benchmark-only URL that stores the same report *unencrypted*,
so the benchmark can show what sealing costs. Lives outside the package on purpose."""

from crimebook.intake_settings import *  # noqa: F403

ROOT_URLCONF = "intake_bench.urls"
