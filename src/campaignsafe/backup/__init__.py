"""Backups of the whole data folder, restoring one, and importing another person's record.

``archive`` writes and opens the backup format (a zip with a manifest, like a bundle);
``crypto`` is the age passphrase encryption around it; ``restore`` puts a backup back into
an empty data folder; ``importing`` merges a bundle or a backup into this store.
"""
