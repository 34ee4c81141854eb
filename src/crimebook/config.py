"""Typed settings read from the environment (prefix ``CRIMEBOOK_``), failing fast.

This module imports nothing from Django so that the command-line tool can report a
configuration error in one line before Django starts. ``crimebook.settings`` turns a
:class:`Config` into Django settings.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Config", "ConfigError", "Mode", "load_config"]

_AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
DEV_SECRET_KEY = "crimebook-development-only-not-secret"  # noqa: S105 - refused in production


class ConfigError(Exception):
    """A setting is missing or unsafe; the message says what to set."""


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Config(BaseSettings):
    """Every setting Crimebook reads. Environment variables are ``CRIMEBOOK_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CRIMEBOOK_", case_sensitive=False)

    mode: Mode = Mode.DEVELOPMENT
    debug: bool = False
    secret_key: str = ""
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost", "[::1]"]
    )
    data_dir: Path = Path("var")
    database_url: str = ""
    key_dir: Path | None = None
    language_code: str = "en"
    time_zone: str = "Europe/Minsk"
    log_level: str = "INFO"
    backup_recipients: Annotated[list[str], NoDecode] = Field(default_factory=list)
    session_idle_seconds: int = Field(default=3600, ge=60, le=86400)
    api_page_size_max: int = Field(default=200, ge=1, le=1000)
    # API tokens: the longest lifetime a token may be given, and each token's request budget
    # (a token bucket refilled at rate_per_minute, holding at most rate_burst requests).
    api_token_max_days: int = Field(default=90, ge=1, le=3650)
    api_rate_per_minute: int = Field(default=600, ge=1, le=1_000_000)
    api_rate_burst: int = Field(default=120, ge=1, le=1_000_000)
    api_bulk_max: int = Field(default=500, ge=1, le=10_000)
    # Public intake (crimebook.intake_settings): age public keys only, never private keys.
    intake_recipients: Annotated[list[str], NoDecode] = Field(default_factory=list)
    intake_max_upload_bytes: int = Field(default=2 * 1024**3, ge=1024, le=64 * 1024**3)
    intake_max_files: int = Field(default=20, ge=1, le=200)
    intake_store_dir: Path | None = None
    intake_signing_key_file: Path | None = None
    intake_posts_per_minute: int = Field(default=6000, ge=1, le=1_000_000)
    intake_codename_tries_per_minute: int = Field(default=120, ge=1, le=100_000)
    # Evidence vault: age public keys the evidentiary copies are sealed to (empty: the
    # identity in the key directory, from `crimebook evidence keygen`).
    vault_recipients: Annotated[list[str], NoDecode] = Field(default_factory=list)
    vault_dir: Path | None = None
    # Map: by default no third-party tile server is contacted (offline basemap only). A tile
    # template such as https://tile.example.org/{z}/{x}/{y}.png adds its host to the CSP.
    map_tile_url: str = ""
    map_tile_attribution: str = Field(default="", max_length=300)
    # Where sealed evidentiary copies live: the data directory, or an S3-compatible bucket
    # (credentials from CRIMEBOOK_VAULT_S3_ACCESS_KEY/SECRET_KEY or the usual AWS_* chain).
    vault_backend: Literal["filesystem", "s3"] = "filesystem"
    vault_s3_bucket: str = ""
    vault_s3_endpoint_url: str = ""
    vault_s3_region: str = ""
    vault_s3_access_key: str = ""
    vault_s3_secret_key: str = ""
    vault_s3_prefix: str = Field(default="", pattern=r"^([A-Za-z0-9_.-]+/)*$")
    # RFC 3161 time-stamping authorities for `crimebook audit timestamp` (comma-separated
    # http(s) URLs) and the CA bundle their certificates must chain to.
    tsa_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    tsa_ca_file: Path | None = None
    tsa_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    # Background jobs (huey): empty → a SQLite queue file in the data directory, consumed by
    # `crimebook worker` (or the worker `crimebook serve` starts); a redis:// or rediss:// URL →
    # one queue that workers on several machines share.
    redis_url: str = ""
    jobs_queue: str = Field(default="crimebook", pattern=r"^[A-Za-z0-9_.-]{1,64}$")

    @field_validator("allowed_hosts", "backup_recipients", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()]
        return value

    @field_validator("intake_recipients", "vault_recipients", mode="before")
    @classmethod
    def _split_recipients(cls, value: object) -> object:
        if isinstance(value, str):
            return [r.strip() for r in value.split(",") if r.strip()]
        return value

    @field_validator("intake_recipients", "vault_recipients")
    @classmethod
    def _check_recipients(cls, value: list[str]) -> list[str]:
        for recipient in value:
            if not _AGE_RECIPIENT.fullmatch(recipient):
                raise ValueError(f"{recipient[:12]!r}… is not an age X25519 public key (age1…)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        value = value.strip()
        if value and not re.match(r"^(redis|rediss|unix)://", value):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @property
    def jobs_sqlite_path(self) -> Path:
        return self.data_path / "jobs.sqlite3"

    @field_validator("tsa_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            return [u.strip() for u in value.split(",") if u.strip()]
        return value

    @field_validator("tsa_urls")
    @classmethod
    def _check_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not re.fullmatch(r"https?://[^\s@/]+(/\S*)?", url):
                raise ValueError(f"{url[:40]!r} is not an http(s) URL without credentials")
        return value

    @field_validator("vault_s3_endpoint_url")
    @classmethod
    def _check_endpoint(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^\s@/]+/?", value):
            raise ValueError("must be an http(s) URL of the object store (no path, no credentials)")
        return value

    @field_validator("map_tile_url")
    @classmethod
    def _check_tile_url(cls, value: str) -> str:
        from crimebook.maps.tiles import validate_tile_url

        return validate_tile_url(value)

    @property
    def intake_store_path(self) -> Path:
        return (self.intake_store_dir or self.data_path / "intake").expanduser().resolve()

    @property
    def intake_signing_key_path(self) -> Path:
        path = self.intake_signing_key_file or self.intake_store_path / "receipt-signing.key"
        return path.expanduser().resolve()

    @property
    def vault_path(self) -> Path:
        return (self.vault_dir or self.data_path / "vault").expanduser().resolve()

    @property
    def data_path(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def keys_path(self) -> Path:
        return (self.key_dir or self.data_path / "keys").expanduser().resolve()

    @property
    def sqlite_path(self) -> Path:
        return self.data_path / "crimebook.sqlite3"

    @property
    def effective_secret_key(self) -> str:
        return self.secret_key or DEV_SECRET_KEY

    def check(self) -> None:
        """Refuse unsafe production settings with a one-line message."""
        if self.vault_backend == "s3" and not self.vault_s3_bucket:
            raise ConfigError("CRIMEBOOK_VAULT_BACKEND=s3 needs CRIMEBOOK_VAULT_S3_BUCKET")
        if self.mode is not Mode.PRODUCTION:
            return
        if not self.secret_key or self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
            raise ConfigError(
                "production mode needs CRIMEBOOK_SECRET_KEY set to a random value of "
                "at least 32 characters"
            )
        if self.debug:
            raise ConfigError("production mode refuses CRIMEBOOK_DEBUG=true; unset it")
        if any("*" in host for host in self.allowed_hosts):
            raise ConfigError(
                "production mode refuses a wildcard in CRIMEBOOK_ALLOWED_HOSTS; list the host names"
            )
        if not self.allowed_hosts:
            raise ConfigError("production mode needs CRIMEBOOK_ALLOWED_HOSTS (comma-separated)")


def load_config() -> Config:
    """Read and check the configuration, raising :class:`ConfigError` with a clear message."""
    try:
        config = Config()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "CRIMEBOOK_" + str(first["loc"][0]).upper() if first["loc"] else "CRIMEBOOK_*"
        raise ConfigError(f"invalid {name}: {first['msg']}") from None
    config.check()
    return config
