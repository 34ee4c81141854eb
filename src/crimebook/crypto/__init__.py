"""Pure cryptographic helpers (no Django): key files, field encryption, blind indexes.

Only standard constructions from the ``cryptography`` package are used: AES-256-GCM for
fields and HMAC-SHA-256 for blind indexes and keyed audit digests.
"""

from crimebook.crypto.blindindex import normalise_identifier, normalise_name
from crimebook.crypto.keyring import (
    DecryptionError,
    KeyFileError,
    Keyring,
    keyring_create,
    keyring_load,
    keyring_save,
)

__all__ = [
    "DecryptionError",
    "KeyFileError",
    "Keyring",
    "keyring_create",
    "keyring_load",
    "keyring_save",
    "normalise_identifier",
    "normalise_name",
]
