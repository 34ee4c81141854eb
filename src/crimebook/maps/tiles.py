"""PURE: the optional third-party tile source (``CRIMEBOOK_MAP_TILE_URL``).

By default the map draws only the basemap shipped in our static files and contacts no one.
An operator may configure a tile server (their own, or a public one accepting that it learns
which areas investigators look at); its origin is then the one host added to the CSP's
``img-src``. The template must be ``https`` (``http`` only for a loopback server), and may
use only Leaflet's ``{s}``, ``{z}``, ``{x}``, ``{y}`` and ``{r}`` placeholders; ``{s}`` in the
host becomes a ``*.`` wildcard in the CSP.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["tile_csp_source", "validate_tile_url"]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_ALLOWED = {"s", "z", "x", "y", "r"}
_HOST = re.compile(r"^(\{s\}\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def validate_tile_url(url: str) -> str:
    """Return the template unchanged, or raise ``ValueError`` saying what is wrong."""
    url = url.strip()
    if not url:
        return ""
    if any(c.isspace() for c in url) or any(c in url for c in "'\";,"):
        raise ValueError("the tile URL may not contain spaces, quotes, commas or semicolons")
    names = set(_PLACEHOLDER.findall(url))
    if names - _ALLOWED:
        bad = ", ".join(sorted("{" + n + "}" for n in names - _ALLOWED))
        raise ValueError(f"unknown placeholder {bad}; use {{s}} {{z}} {{x}} {{y}} {{r}}")
    if not {"z", "x", "y"} <= names:
        raise ValueError("the tile URL needs {z}, {x} and {y}")
    parts = urlsplit(url.replace("{s}", "s-placeholder"))
    host = (parts.hostname or "").replace("s-placeholder", "{s}")
    if parts.scheme not in {"https", "http"} or not host:
        raise ValueError("the tile URL must start with https://host/")
    if parts.scheme == "http" and host not in _LOOPBACK:
        raise ValueError("the tile URL must use https (http only for a loopback server)")
    if parts.username or parts.password:
        raise ValueError("the tile URL may not carry a user name or password")
    if host not in _LOOPBACK and not _HOST.match(host):
        raise ValueError(f"{host!r} is not a host name")
    if "{" in parts.netloc.replace("s-placeholder", ""):
        raise ValueError("only {s} may appear in the host name, and only at its start")
    return url


def tile_csp_source(url: str) -> str:
    """The CSP source expression for a valid tile template ('' when none is configured):
    scheme, host and port only; ``{s}.`` becomes ``*.``."""
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "s-placeholder"))
    netloc = parts.netloc.replace("s-placeholder", "*")
    return f"{parts.scheme}://{netloc}"
