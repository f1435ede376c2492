"""Who may add or replace documents from the dashboard (Källor och kvalitet → Lägg till dokument).

- ``STADSDEL_READONLY=1``: nobody; the upload is not shown (a public, read-only deployment).
- ``STADSDEL_ADMIN_PASSWORD=…``: whoever gives the password (once per browser session).
- neither: everyone who can open the app. start.sh serves on localhost only, so by default
  that is the person at the machine.

Read at call time, so a test (or a restarted app) sees the environment as it is now."""
from __future__ import annotations

import hmac

from etl import settings


def upload_mode() -> str:
    """'off', 'password' or 'open' (see the module docstring)."""
    if settings.read_only():
        return "off"
    if settings.admin_password():
        return "password"
    return "open"


def password_ok(given: str) -> bool:
    """Is this the admin password? (Compared in constant time.)"""
    expected = settings.admin_password()
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
