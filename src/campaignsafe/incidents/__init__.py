"""The incident record: models, the SQLite store, evidence copies, dates and guided-entry drafts.

Import the submodule you need (``campaignsafe.incidents.store``, ``.models``, ...): this package
itself imports nothing, so ``report --help`` and the kinds list stay light.
"""
