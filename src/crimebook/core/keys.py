"""The process's keyring, loaded once from the key directory named in settings."""

from __future__ import annotations

from dataclasses import replace
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


def keys_add_active() -> str:
    """Add a new data key and make it active (old keys stay, so old ciphertexts still open).
    The file is replaced atomically before any record is re-encrypted."""
    rotated = get_keyring().with_new_active_key()
    keyring_save(rotated, key_file_path())
    get_keyring.cache_clear()
    return rotated.active


def keys_retire(unused: set[str]) -> list[str]:
    """Remove data keys that no ciphertext needs any more (never the active one)."""
    keyring = get_keyring()
    drop = sorted(k for k in unused if k != keyring.active and k in keyring.data_keys)
    if drop:
        kept = {k: v for k, v in keyring.data_keys.items() if k not in drop}
        keyring_save(replace(keyring, data_keys=kept), key_file_path())
        get_keyring.cache_clear()
    return drop
