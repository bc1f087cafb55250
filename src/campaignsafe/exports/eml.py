"""An email draft (RFC 5322) for the user to open and send from their own mail client. Never sent."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid


def draft(
    *,
    to: str | None,
    sender: str | None,
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
    when: datetime,
) -> bytes:
    """The draft as bytes. ``attachments`` are (file name, bytes, MIME type such as text/html)."""
    msg = EmailMessage(policy=SMTP)
    if to:
        msg["To"] = to
    if sender:
        msg["From"] = sender
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain="campaignsafe.invalid")
    msg["X-Unsent"] = "1"  # mail clients open the file as a draft ready to send
    msg.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        params = {"charset": "utf-8"} if maintype == "text" else None  # so the report's £ and – survive
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name, params=params)
    return msg.as_bytes()
