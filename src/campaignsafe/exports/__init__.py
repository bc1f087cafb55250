"""Exports of the incident record: JSON, CSV, HTML and markdown reports, the hashed bundle, the email draft."""
