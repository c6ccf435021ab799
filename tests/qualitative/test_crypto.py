"""Originals are encrypted with a key derived from SECRET_KEY: a rotated key stays
readable while the old one is in SECRET_KEY_FALLBACKS, and unreadable after."""

from medmentor.qualitative.crypto import decrypt_text, encrypt_text, pseudonym_digest


def test_rotating_secret_key_keeps_originals_readable_only_through_fallbacks(settings):
    settings.SECRET_KEY = "old-secret-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []
    token = encrypt_text("Jo Junior said it")
    assert b"Jo Junior" not in token
    settings.SECRET_KEY = "new-secret-" + "y" * 40
    assert decrypt_text(token) is None
    settings.SECRET_KEY_FALLBACKS = ["old-secret-" + "x" * 40]
    assert decrypt_text(token) == "Jo Junior said it"


def test_pseudonym_digests_are_stable_per_value_and_keyed(settings):
    assert pseudonym_digest("Jo  JUNIOR") == pseudonym_digest("jo junior")
    before = pseudonym_digest("jo junior")
    settings.SECRET_KEY = "another-secret-" + "z" * 40
    assert pseudonym_digest("jo junior") != before
