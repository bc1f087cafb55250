"""Backups of the whole data folder, restoring one, and importing another person's record.

``archive`` writes and opens the backup format (a zip with a manifest, like a bundle);
``crypto`` is the age passphrase encryption around it; ``restore`` puts a backup back into
an empty data folder; ``sources`` reads and checks the incidents of a bundle or a backup, and
``importing`` merges them into this store.
"""
