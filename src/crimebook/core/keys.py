"""The process's keyring, loaded once from the key directory named in settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from crimebook.crypto import Keyring, keyring_create, keyring_load, keyring_save

KEY_FILE_NAME = "data-keys.json"


def key_file_path() -> Path:
    return Path(settings.CRIMEBOOK_KEY_DIR) / KEY_FILE_NAME


@lru_cache(maxsize=1)
def get_keyring() -> Keyring:
    return keyring_load(key_file_path())


def keys_init(*, exist_ok: bool = False) -> tuple[Path, bool]:
    """Create the key file if absent. Returns (path, created). Never overwrites keys."""
    path = key_file_path()
    if path.exists():
        if not exist_ok:
            raise FileExistsError(f"key file {path} already exists; refusing to overwrite it")
        return path, False
    keyring_save(keyring_create(), path)
    get_keyring.cache_clear()
    return path, True
