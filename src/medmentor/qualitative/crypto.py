"""Encryption at rest for the originals of de-identified transcripts.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with a key derived from
SECRET_KEY by HKDF-SHA256 under a purpose label. Why this way: the deployment already
keeps SECRET_KEY secret and out of the database, so a stolen database dump or backup
alone does not reveal who said what, and there is no second key to lose; the purpose
label keeps this key unrelated to the session and signing keys derived from the same
secret. Rotating SECRET_KEY keeps old originals readable while the previous key is
listed in SECRET_KEY_FALLBACKS (MultiFernet tries each); once it is dropped, the kept
originals become unreadable — by design, the same as deleting them.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ORIGINALS = b"medmentor.qualitative.original-text"
PSEUDONYMS = b"medmentor.qualitative.pseudonym-digest"


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(secret, ORIGINALS))) for secret in secrets]
    )


def encrypt_text(text: str) -> bytes:
    return _fernet().encrypt(text.encode())


def decrypt_text(token: bytes | memoryview | None) -> str | None:
    """The plain text, or None when there is none or the key that wrote it is gone."""
    if token is None:
        return None
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken:
        return None


def pseudonym_digest(value: str) -> str:
    """A keyed digest of a normalised name, email or phone: the same value gives the same
    pseudonym in every document of a program, and the table never holds the value."""
    normalised = " ".join(value.casefold().split())
    key = _derive(settings.SECRET_KEY, PSEUDONYMS)
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
