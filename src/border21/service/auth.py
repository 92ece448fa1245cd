"""Users and API tokens: created once, shown once, stored only as a SHA-256 hash.

Tokens are 256 random bits, so a fast hash is the right tool (a slow password
hash protects low-entropy secrets; it would only slow every request here). A
stolen database does not reveal a usable token.

>>> from border21.service.db import ServiceDB
>>> db = ServiceDB(None)
>>> token = add_user(db, "ana", agency="us-cbp", role="viewer", now="2026-01-01T00:00:00Z")
>>> token.startswith(TOKEN_PREFIX), authenticate(db, token).agency
(True, 'us-cbp')
>>> authenticate(db, "b21_wrong") is None
True
>>> db.close()
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from border21.errors import InputError, NotFoundError
from border21.i18n.message import Message
from border21.service import AGENCIES, ROLES
from border21.service.db import ServiceDB

TOKEN_PREFIX = "b21_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user of one request."""

    name: str
    agency: str
    role: str
    user_id: int = 0
    """The user's row id: unique for good, unlike a name (a revoked name can be reused)."""

    def at_least(self, role: str) -> bool:
        """Does this user's role include ``role`` (viewer < analyst < admin)?"""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def owns_records(self) -> bool:
        """Outside analysts own no records and see aggregates only."""
        return self.agency != "analyst"


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def check_user(name: str, agency: str, role: str) -> None:
    """Raise InputError for a bad name, agency or role."""
    if not _NAME.match(name):
        raise InputError("name", name, Message("use 1–64 letters, digits, '.', '_', '@' or '-'"))
    if agency not in AGENCIES:
        raise InputError(
            "agency", agency, Message("must be one of {agencies}", agencies=", ".join(AGENCIES))
        )
    if role not in ROLES:
        raise InputError("role", role, Message("must be one of {roles}", roles=", ".join(ROLES)))


def add_user(db: ServiceDB, name: str, *, agency: str, role: str, now: str) -> str:
    """Create a user and return their token (the only time it is visible)."""
    check_user(name, agency, role)
    if db.query("SELECT 1 FROM users WHERE name = ?", (name,)):
        raise InputError("name", name, Message("a user of that name exists (revoke it first)"))
    token = new_token()
    db.execute(
        "INSERT INTO users (name, agency, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        (name, agency, role, hash_token(token), now),
    )
    return token


def revoke_user(db: ServiceDB, name: str, *, now: str) -> None:
    """Disable a user's token for good (the row stays, for the audit trail)."""
    if not db.query("SELECT 1 FROM users WHERE name = ? AND revoked_at IS NULL", (name,)):
        raise NotFoundError(Message("user = {name!r}: no active user of that name", name=name))
    db.execute("UPDATE users SET revoked_at = ?, name = name || '#' || id WHERE name = ?",
               (now, name))  # fmt: skip


def list_users(db: ServiceDB) -> list[dict[str, str]]:
    """Active users (never their tokens)."""
    return db.query(
        "SELECT name, agency, role, created_at FROM users WHERE revoked_at IS NULL ORDER BY name"
    )


def authenticate(db: ServiceDB, token: str | None) -> Principal | None:
    """The active user holding ``token``, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    rows = db.read(
        "SELECT id, name, agency, role FROM users WHERE token_hash = ? AND revoked_at IS NULL",
        (hash_token(token),),
    )
    if not rows:
        return None
    row = rows[0]
    return Principal(name=row["name"], agency=row["agency"], role=row["role"], user_id=row["id"])
