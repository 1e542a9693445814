"""The Ed25519 signing key: created once with mode 0600, loaded after, named by a stable id."""

from __future__ import annotations

import hashlib
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fairclaim.evidence.keys import (
    Signer,
    SigningKeyError,
    key_id,
    load_or_create_private_key,
    load_public_key,
    load_public_key_pem,
    public_key_pem,
    signature_holds,
)


def test_key_is_created_on_first_use_with_owner_only_permissions(tmp_path):
    path = tmp_path / "var" / "keys" / "signing.pem"
    key = load_or_create_private_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"BEGIN PRIVATE KEY" in path.read_bytes()
    again = load_or_create_private_key(path)
    assert public_key_pem(again) == public_key_pem(key)


def test_key_id_is_sha256_of_the_raw_public_key(tmp_path):
    signer = Signer.from_path(tmp_path / "k.pem")
    raw = signer.private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert signer.key_id == "ed25519:" + hashlib.sha256(raw).hexdigest()
    assert key_id(load_public_key_pem(signer.public_key_pem())) == signer.key_id


def test_published_pem_checks_a_signature(tmp_path):
    signer = Signer.from_path(tmp_path / "k.pem")
    published = tmp_path / "published.pem"
    published.write_bytes(signer.public_key_pem())
    public = load_public_key(published)
    assert signature_holds(public, signer.sign(b"manifest"), b"manifest")
    assert not signature_holds(public, signer.sign(b"manifest"), b"manifesT")


def test_non_ed25519_key_file_is_refused_with_a_typed_error(tmp_path):
    path = tmp_path / "ec.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(SigningKeyError, match="not Ed25519"):
        load_or_create_private_key(path)
    with pytest.raises(SigningKeyError, match="not an Ed25519"):
        load_public_key(path)


def test_garbage_key_file_is_refused_with_a_typed_error(tmp_path):
    path = tmp_path / "bad.pem"
    path.write_text("not a key")
    with pytest.raises(SigningKeyError):
        load_or_create_private_key(path)
    with pytest.raises(SigningKeyError):
        load_public_key(tmp_path / "missing.pem")
