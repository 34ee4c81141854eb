"""The favicon: our own small SVG in the static files, linked from every workspace page (and
the login page) so browsers stop asking for a missing ``/favicon.ico``; same origin, so the
CSP's ``img-src 'self'`` allows it and no third party is asked."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

ICON = re.compile(r'<link rel="icon" href="(?P<href>[^"]+)" type="image/svg\+xml">')


def test_pages_link_our_favicon_and_it_is_served(inv_client: Client) -> None:
    # GIVEN a workspace page and the anonymous login page
    for client, path in ((inv_client, "/"), (Client(), "/accounts/login/")):
        page = client.get(path)
        assert page.status_code == 200
        # THEN each links the icon from our own static files
        match = ICON.search(page.content.decode())
        assert match is not None, path
        href = match["href"]
        assert href == "/static/crimebook/favicon.svg"
        assert "img-src 'self'" in page["Content-Security-Policy"]
    # AND the icon is served (without a session: static files are public) as a small SVG
    response = Client().get(href)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response["Content-Type"].startswith("image/svg+xml")
    assert len(body) < 2048
    assert body.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert finders.find("crimebook/favicon.svg") is not None
    assert b"http" not in body.replace(b"http://www.w3.org/2000/svg", b"")  # no outside link


def test_favicon_ico_leads_to_the_icon_without_a_session() -> None:
    # GIVEN a browser on a page that does not link the icon (admin, JSON) asking for the
    # conventional address, signed in or not
    response = Client().get("/favicon.ico")
    # THEN it is sent to our SVG, not to the login page
    assert response.status_code == 301
    assert response["Location"] == "/static/crimebook/favicon.svg"
