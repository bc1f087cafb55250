"""Locate and read the data files shipped inside the package (``campaignsafe/data``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def data_dir() -> Path:
    """The shipped ``data`` folder: inside the installed package, or the source tree's.

    The package's own folder is tried first (cheap); ``importlib.resources`` covers
    installs where the package is not a plain folder on disk.
    """
    packaged = Path(__file__).resolve().parent / "data"
    if packaged.is_dir():
        return packaged
    from importlib.resources import files

    resource = Path(str(files("campaignsafe"))) / "data"
    if resource.is_dir():
        return resource
    source_tree = Path(__file__).resolve().parents[2] / "data"
    if source_tree.is_dir():  # editable install or PYTHONPATH=src
        return source_tree
    raise FileNotFoundError("campaignsafe's data folder is missing: reinstall the package")


@cache
def load_json(name: str) -> Any:
    """A shipped JSON file, parsed once per process."""
    with (data_dir() / name).open(encoding="utf-8") as fh:
        return json.load(fh)
