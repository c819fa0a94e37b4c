"""Users and roles of `triage serve`, from configuration.

The users file is YAML (`TRIAGE_USERS_FILE`, default `TRIAGE_HOME/users.yaml`):

```yaml
users:
  - username: ana
    role: admin            # viewer | labeler | owner | admin
    password_hash: scrypt$16384$8$1$<salt hex>$<hash hex>
    owners: [logistics]    # optional: the owner teams this person answers for (alert board filter)
    slack_id: U024BE7LH    # optional: their Slack member id; Slack button presses then act as this user
```

Passwords are stored only as scrypt hashes (`hash_password`, `triage users add`). What each role may do:

| permission | viewer | labeler | owner | admin |
|---|---|---|---|---|
| `view` (queue, backlog, alert board) | ✓ | ✓ | ✓ | ✓ |
| `label` (accept / correct / skip) | | ✓ | ✓ | ✓ |
| `alert_lifecycle` (acknowledge … close, reopen) | | | ✓ | ✓ |
| `reopen_labels` (send a labeled review back to its queue) | | | ✓ | ✓ |
| `view_pii` (unredacted review text) | | | | ✓ |
| `manage_users` (change roles) | | | | ✓ |
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

ROLES: tuple[str, ...] = ("viewer", "labeler", "owner", "admin")
PERMISSIONS: Mapping[str, frozenset[str]] = {
    "viewer": frozenset({"view"}),
    "labeler": frozenset({"view", "label"}),
    "owner": frozenset({"view", "label", "alert_lifecycle", "reopen_labels"}),
    "admin": frozenset({"view", "label", "alert_lifecycle", "reopen_labels", "view_pii", "manage_users"}),
}

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class AuthError(ValueError):
    """A users file that cannot be used, or an unknown user or role."""


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash` (hex) of a password."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches a `hash_password` value (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), expected)


_DUMMY_HASH = hash_password("not-a-password", salt=b"0" * 16)


@dataclass(frozen=True)
class User:
    username: str
    role: str
    password_hash: str = field(repr=False)
    owners: tuple[str, ...] = ()
    slack_id: str | None = None
    """The person's Slack member id (`U...`): their Slack button presses act as this user, with this role."""

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())


@dataclass
class UserDirectory:
    """The users file: load, authenticate, change roles, add users (written back atomically)."""

    path: Path

    def users(self) -> dict[str, User]:
        if not self.path.exists():
            return {}
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise AuthError(f"{self.path}: not valid YAML: {error}") from error
        out: dict[str, User] = {}
        for number, item in enumerate(data.get("users") or [], start=1):
            if not isinstance(item, dict) or not item.get("username") or not item.get("password_hash"):
                raise AuthError(f"{self.path}: user #{number} needs a username and a password_hash")
            role = item.get("role", "viewer")
            if role not in ROLES:
                raise AuthError(f"{self.path}: user {item['username']!r} has unknown role {role!r}; {ROLES}")
            out[str(item["username"])] = User(
                username=str(item["username"]),
                role=role,
                password_hash=str(item["password_hash"]),
                owners=tuple(item.get("owners") or ()),
                slack_id=str(item["slack_id"]) if item.get("slack_id") else None,
            )
        return out

    def get(self, username: str) -> User | None:
        return self.users().get(username)

    def by_slack_id(self, slack_id: str) -> User | None:
        """The user linked to this Slack member id, if any."""
        return next((u for u in self.users().values() if slack_id and u.slack_id == slack_id), None)

    def link_slack(self, username: str, slack_id: str | None) -> User:
        """Link a user to their Slack member id (None unlinks); one Slack id belongs to one user."""
        users = self.users()
        if username not in users:
            raise AuthError(f"no user {username!r}")
        owner = self.by_slack_id(slack_id) if slack_id else None
        if owner is not None and owner.username != username:
            raise AuthError(f"Slack id {slack_id} is already linked to {owner.username!r}")
        users[username] = replace(users[username], slack_id=slack_id or None)
        self._write(users)
        return users[username]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password matches, else None (same work whether or not the user exists)."""
        user = self.users().get(username)
        ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
        return user if user is not None and ok else None

    def set_role(self, username: str, role: str) -> tuple[User, User]:
        """Change a user's role; returns (before, after)."""
        if role not in ROLES:
            raise AuthError(f"unknown role {role!r}; known: {list(ROLES)}")
        users = self.users()
        if username not in users:
            raise AuthError(f"no user {username!r}")
        before = users[username]
        after = replace(before, role=role)
        users[username] = after
        self._write(users)
        return before, after

    def add(self, username: str, password: str, role: str, owners: tuple[str, ...] = ()) -> User:
        if role not in ROLES:
            raise AuthError(f"unknown role {role!r}; known: {list(ROLES)}")
        users = self.users()
        previous = users.get(username)
        slack_id = previous.slack_id if previous else None
        users[username] = User(username, role, hash_password(password), tuple(owners), slack_id)
        self._write(users)
        return users[username]

    def _write(self, users: Mapping[str, User]) -> None:
        data: dict[str, Any] = {
            "users": [
                {
                    "username": u.username,
                    "role": u.role,
                    "password_hash": u.password_hash,
                    **({"owners": list(u.owners)} if u.owners else {}),
                    **({"slack_id": u.slack_id} if u.slack_id else {}),
                }
                for u in users.values()
            ]
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)


def users_file(home: Path, env: Mapping[str, str] | None = None) -> Path:
    """`TRIAGE_USERS_FILE`, else `TRIAGE_HOME/users.yaml`."""
    env = os.environ if env is None else env
    configured = (env.get("TRIAGE_USERS_FILE") or "").strip()
    return Path(configured).expanduser() if configured else home / "users.yaml"
