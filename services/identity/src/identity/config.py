"""Settings of the identity service (env prefix CRM_)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from crm_common.config import InsecureSettingsError, ServiceSettings

DEV_KEY_PASSPHRASE = "dev-identity-key-passphrase"  # noqa: S105 - refused outside development


class IdentitySettings(ServiceSettings):
    service_name: str = "identity"
    grpc_port: int = 50051
    identity_database_url: str | None = None

    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=3600)
    # Encrypts signing keys at rest in the database.
    identity_key_passphrase: SecretStr = SecretStr(DEV_KEY_PASSPHRASE)
    signing_key_cache_seconds: float = 30.0
    # A rotated-in key signs only after this long, so every verifier (whose JWKS
    # refresh is throttled to CRM_JWKS_MIN_REFRESH_SECONDS) can fetch it first.
    signing_key_activation_seconds: float = Field(default=30.0, ge=0)

    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_seconds: int = Field(default=900, ge=1)
    password_min_length: int = Field(default=10, ge=8)

    @property
    def database(self) -> str:
        return self.service_database_url("identity", self.identity_database_url)

    def check_secrets(self) -> None:
        super().check_secrets()
        if self.env == "production" and (
            self.identity_key_passphrase.get_secret_value() == DEV_KEY_PASSPHRASE
        ):
            raise InsecureSettingsError("CRM_IDENTITY_KEY_PASSPHRASE must be set in production")
