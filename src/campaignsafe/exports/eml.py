"""An email draft (RFC 5322) for the user to open and send from their own mail client. Never sent.

The draft is a function of its content: its Message-ID and MIME boundary come from a SHA-256 of
what it holds, so the same export (with ``SOURCE_DATE_EPOCH``) gives the same bytes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime


def draft(
    *,
    to: str | None,
    sender: str | None,
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
    when: datetime,
    cc: str | None = None,
) -> bytes:
    """The draft as bytes. ``attachments`` are (file name, bytes, MIME type such as text/html)."""
    fields = (to or "", sender or "", subject, when.isoformat(), body) + ((cc,) if cc else ())
    digest = _digest(fields, attachments)
    msg = EmailMessage(policy=SMTP)
    if to:
        msg["To"] = to
    if cc:
        msg["Cc"] = cc
    if sender:
        msg["From"] = sender
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{digest[:40]}@campaignsafe.invalid>"
    msg["X-Unsent"] = "1"  # mail clients open the file as a draft ready to send
    msg.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        params = {"charset": "utf-8"} if maintype == "text" else None  # so the report's £ and – survive
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name, params=params)
    if msg.is_multipart():
        msg.set_boundary(_boundary(msg, digest))
    return msg.as_bytes()


def _digest(fields: tuple[str, ...], attachments: list[tuple[str, bytes, str]]) -> str:
    h = hashlib.sha256()
    for part in fields:
        h.update(part.encode("utf-8") + b"\0")
    for name, data, mime in attachments:
        h.update(f"{name}\0{mime}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _boundary(msg: EmailMessage, digest: str) -> str:
    """A boundary that no part's encoded text contains (the email package's own rule)."""
    parts = b"".join(part.as_bytes() for part in msg.iter_parts())
    boundary = f"=_campaignsafe_{digest[:32]}"
    n = 0
    while boundary.encode() in parts:
        n += 1
        boundary = f"=_campaignsafe_{digest[:32]}.{n}"
    return boundary
