"""Development secrets that survive restarts, kept in ``.data/secrets.json`` (mode 0600).

They persist because data persists: the demo password must keep working and the
identity signing key must stay decryptable after a restart. Each may be overridden by
its environment variable (which is never written to the file).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

_TOKEN_BYTES = 32
_DEMO_PASSWORD_BYTES = 12  # typed by people: shorter, still ~96 bits

ENV_OVERRIDES = {
    "platform_token": "CRM_PLATFORM_TOKEN",
    "internal_secret": "CRM_INTERNAL_SECRET",
    "identity_key_passphrase": "CRM_IDENTITY_KEY_PASSPHRASE",
    "demo_password": "CRM_DEMO_PASSWORD",
}


class SecretsFileError(RuntimeError):
    """``secrets.json`` exists but cannot be used. Replacing it silently would lock the
    demo admin out and orphan the encrypted signing key, so we stop instead."""


@dataclass(frozen=True)
class DevSecrets:
    platform_token: str
    internal_secret: str
    identity_key_passphrase: str
    demo_password: str


def load_or_create_secrets(path: Path, environ: Mapping[str, str] | None = None) -> DevSecrets:
    """Read ``path`` (creating it with fresh secrets on first run), then apply env
    overrides."""
    env = os.environ if environ is None else environ
    stored = _read(path) if path.exists() else None
    if stored is None:
        stored = _generate()
        _write(path, stored)
    overrides = {field: env[var] for field, var in ENV_OVERRIDES.items() if env.get(var)}
    return DevSecrets(**{**asdict(stored), **overrides})


def _generate() -> DevSecrets:
    return DevSecrets(
        platform_token=secrets.token_urlsafe(_TOKEN_BYTES),
        internal_secret=secrets.token_urlsafe(_TOKEN_BYTES),
        identity_key_passphrase=secrets.token_urlsafe(_TOKEN_BYTES),
        demo_password=secrets.token_urlsafe(_DEMO_PASSWORD_BYTES),
    )


def _read(path: Path) -> DevSecrets:
    try:
        content = json.loads(path.read_text())
        return DevSecrets(**{f.name: str(content[f.name]) for f in fields(DevSecrets)})
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SecretsFileError(
            f"{path} is unreadable ({error!r}); fix it, or delete it together with "
            "the .data/ directory to start from scratch"
        ) from error


def _write(path: Path, stored: DevSecrets) -> None:
    """Create the file 0600 from the start, so the secrets are never world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(asdict(stored), file, indent=2)
        file.write("\n")
