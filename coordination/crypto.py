"""Encryption at rest of residents' personal data (Fernet, several keys for rotation).

PERSONAL_DATA_KEYS lists Fernet keys, newest first: tokens are written with the first and read with
any, so a new key is added in front, `flask referrals rotate-key` re-encrypts, and the old key is
removed afterwards. Outside production, a key is derived from SECRET_KEY so that `make run` works.
"""
import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

__all__ = ["InvalidToken", "decrypt_json", "decrypt_text", "derived_key", "encrypt_json", "encrypt_text",
           "rotate"]


def derived_key(secret: str) -> str:
    digest = hashlib.sha256(f"maillage-personal-data:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in (current_app.config.get("PERSONAL_DATA_KEYS") or "").split(",") if k.strip()]
    if not keys:
        keys = [derived_key(current_app.config["SECRET_KEY"])]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_text(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def encrypt_json(data: dict) -> str:
    return encrypt_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def decrypt_json(token: str) -> dict:
    return json.loads(decrypt_text(token))


def rotate(token: str) -> str:
    """The same plaintext under the newest key (raises InvalidToken if no key reads it)."""
    return _fernet().rotate(token.encode()).decode()
