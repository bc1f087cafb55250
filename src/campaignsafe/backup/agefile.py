"""The age file format (age-encryption.org/v1) with a passphrase, streamed in 64 KiB chunks.

pyrage's passphrase mode takes and gives whole byte strings, so a backup had to be held in
memory twice over while it was sealed or opened. This module writes and reads the same format
(an scrypt stanza, the header MAC, then the STREAM payload of ChaCha20-Poly1305 chunks) with the
primitives of ``cryptography``, one chunk at a time, so memory stays flat whatever the backup's
size. The ``age`` tool and pyrage open what it writes, and it opens what they write
(``tests/test_agefile.py``).
"""

from __future__ import annotations

import base64
import hmac
import os
import re
from hashlib import sha256
from typing import IO

MAGIC = b"age-encryption.org/v1\n"
#: plaintext bytes in each payload chunk (the last may be shorter)
CHUNK = 64 * 1024
_TAG = 16
#: scrypt's work factor (log2 N) for a new file: the age tool's own default (256 MiB, under a second)
WORK_FACTOR = 18
#: the largest work factor opened (the age tool's limit; 4 GiB of scrypt memory)
MAX_WORK_FACTOR = 22
_SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
_STANZA = re.compile(rb"-> scrypt ([A-Za-z0-9+/]{22}) ([1-9][0-9]?)\n([A-Za-z0-9+/]{43})\n--- ([A-Za-z0-9+/]{43})\n")
_HEADER_MAX = 1024  # an scrypt header is about 150 bytes


class AgeError(ValueError):
    """Why an age file does not open: ``kind`` is ``not_passphrase`` (not an age file, or one encrypted to a
    key), ``too_costly`` (a work factor over the limit, or no memory for it), ``wrong_passphrase`` or ``damaged``
    (changed, cut short or added to)."""

    def __init__(self, message: str, kind: str = "damaged") -> None:
        super().__init__(message)
        self.kind = kind


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes) -> bytes:
    data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    if _b64(data) != text:  # only the canonical encoding
        raise AgeError("not canonical base64")
    return data


def _scrypt_key(secret: str, salt: bytes, work_factor: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=_SCRYPT_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1).derive(secret.encode("utf-8"))


def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt or None, info=info).derive(key)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class Sealer:
    """A writable stream that seals what is written into ``out`` as an age file; :meth:`close` ends it."""

    def __init__(self, out: IO[bytes], secret: str, work_factor: int = WORK_FACTOR) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        file_key, salt, nonce = os.urandom(16), os.urandom(16), os.urandom(16)
        wrapped = ChaCha20Poly1305(_scrypt_key(secret, salt, work_factor)).encrypt(bytes(12), file_key, None)
        head = MAGIC + b"-> scrypt " + _b64(salt) + b" %d\n" % work_factor + _b64(wrapped) + b"\n---"
        mac = hmac.new(_hkdf(file_key, b"", b"header"), head, sha256).digest()
        out.write(head + b" " + _b64(mac) + b"\n" + nonce)
        self._out = out
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._buf = bytearray()
        self._counter = 0
        self._closed = False

    def write(self, data: bytes) -> int:
        """Take ``data``; every full chunk but the newest is sealed and written (the last is flagged as such)."""
        self._buf += data
        while len(self._buf) > CHUNK:  # more to come after this chunk: it is not the last
            self._seal(bytes(self._buf[:CHUNK]), last=False)
            del self._buf[:CHUNK]
        return len(data)

    def close(self) -> None:
        """Seal what is left as the last chunk (empty only when nothing at all was written)."""
        if not self._closed:
            self._closed = True
            self._seal(bytes(self._buf), last=True)
            self._buf.clear()

    def _seal(self, chunk: bytes, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._counter, last), chunk, None))
        self._counter += 1

    # what zipfile asks of a file it writes to
    def flush(self) -> None:
        self._out.flush()

    def tell(self) -> int:
        raise OSError("not seekable")

    def seekable(self) -> bool:
        return False


def unseal(src: IO[bytes], dst: IO[bytes], secret: str) -> int:
    """Write the plaintext of the age file ``src`` to ``dst``, chunk by chunk; returns its size.

    Raises :class:`AgeError` when the file is not a passphrase age file, the passphrase is wrong
    (the header's MAC or key does not open), or a chunk has been changed, cut short or added to.
    ``dst`` may hold a prefix of the plaintext when that happens: the caller discards it.
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    head = src.read(len(MAGIC) + _HEADER_MAX)
    m = _STANZA.match(head, len(MAGIC)) if head.startswith(MAGIC) else None
    if m is None:
        raise AgeError("not an age file with one passphrase (scrypt) stanza", "not_passphrase")
    salt, work_factor, wrapped, mac = _unb64(m[1]), int(m[2]), _unb64(m[3]), _unb64(m[4])
    if work_factor > MAX_WORK_FACTOR:
        raise AgeError(f"its scrypt work factor ({work_factor}) is over {MAX_WORK_FACTOR}", "too_costly")
    try:
        key = _scrypt_key(secret, salt, work_factor)
    except MemoryError:
        raise AgeError(f"not enough memory for its scrypt work factor ({work_factor})", "too_costly") from None
    try:
        file_key = ChaCha20Poly1305(key).decrypt(bytes(12), wrapped, None)
    except InvalidTag:
        raise AgeError("wrong passphrase", "wrong_passphrase") from None
    signed = head[: m.end(3) + len(b"\n---")]
    if not hmac.compare_digest(hmac.new(_hkdf(file_key, b"", b"header"), signed, sha256).digest(), mac):
        raise AgeError("the header has been changed")
    rest = head[m.end() :]
    while len(rest) < 16:  # the payload's nonce (the header read may have stopped short of it)
        more = src.read(16 - len(rest))
        if not more:
            raise AgeError("cut short")
        rest += more
    aead = ChaCha20Poly1305(_hkdf(file_key, rest[:16], b"payload"))
    pending = rest[16:]
    counter = size = 0
    while True:
        while len(pending) < CHUNK + _TAG + 1:  # a whole chunk and one byte more: is it the last?
            more = src.read(CHUNK + _TAG + 1 - len(pending))
            if not more:
                break
            pending += more
        last = len(pending) <= CHUNK + _TAG
        sealed, pending = pending[: CHUNK + _TAG], pending[CHUNK + _TAG :]
        if len(sealed) < _TAG or (last and counter and len(sealed) == _TAG):
            raise AgeError("cut short")  # no chunk, or an empty last chunk after others
        try:
            plain = aead.decrypt(_nonce(counter, last), sealed, None)
        except InvalidTag:
            raise AgeError("a chunk has been changed, or the file cut short") from None
        dst.write(plain)
        size += len(plain)
        counter += 1
        if last:
            return size
