"""The readers of the shipped index: ``postcodes.bin`` (districts) and ``areas.json`` (names and codes).

``postcodes.bin`` layout (little-endian), written by ``scripts/build_data.py``::

    b"CSPCIDX2" | u32 districts | u32 names_len | names (ASCII, comma-joined)
    | u32 offsets[districts + 1] | zlib blocks, one per district

A district block, inflated, is little-endian u16s: the number of sectors, then per sector
its digit and its number of runs, then every run as ``gap, length, combo`` over the 400
unit slots of the sector (``postcode.slot``). ``combo`` indexes ``areas.json["combos"]``:
``[local authority index, constituency index, method index]`` (-1 where unknown).
Only the header and the one district block a query needs are read.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from typing import Any

from campaignsafe.contact.postcode import SECTOR_SLOTS, UNIT_INDEX
from campaignsafe.datafiles import data_dir, load_json

_EMPTY = bytes(2 * SECTOR_SLOTS)


class Index:
    """Lazy reader of ``postcodes.bin``: decodes a district on first use and keeps it."""

    def __init__(self) -> None:
        self._names: dict[str, int] | None = None
        self._offsets: tuple[int, ...] = ()
        self._base = 0
        self._districts: dict[str, dict[str, array[int]]] = {}
        self._path = data_dir() / "postcodes.bin"

    def _header(self) -> dict[str, int]:
        """District → its number in the file (reads the header once)."""
        if self._names is None:
            with self._path.open("rb") as fh:
                if fh.read(8) != b"CSPCIDX2":
                    raise RuntimeError("postcodes.bin has an unknown format")
                count, names_len = struct.unpack("<II", fh.read(8))
                names = fh.read(names_len).decode("ascii").split(",")
                offs = struct.unpack(f"<{count + 1}I", fh.read(4 * (count + 1)))
                base = 16 + names_len + 4 * (count + 1)
            self._names = dict(zip(names, range(count), strict=True))
            self._offsets = offs
            self._base = base
        return self._names

    def districts(self) -> list[str]:
        """Every postcode district in the index."""
        return list(self._header())

    def district(self, outward: str) -> dict[str, array[int]] | None:
        """Sector digit → 400 unit slots (0 = no postcode, else combo + 1), or None."""
        got = self._districts.get(outward)
        if got is not None:
            return got
        i = self._header().get(outward)
        if i is None:
            return None
        with self._path.open("rb") as fh:
            fh.seek(self._base + self._offsets[i])
            raw = zlib.decompress(fh.read(self._offsets[i + 1] - self._offsets[i]))
        words = array("H")
        words.frombytes(raw)
        if sys.byteorder != "little":
            words.byteswap()
        sectors: dict[str, array[int]] = {}
        n = words[0]
        pos = 1 + 2 * n
        for k in range(n):
            digit, runs = words[1 + 2 * k], words[2 + 2 * k]
            slots = array("H", _EMPTY)
            at = 0
            for _ in range(runs):
                gap, length, combo = words[pos], words[pos + 1], words[pos + 2]
                pos += 3
                at += gap
                slots[at : at + length] = array("H", [combo + 1]) * length
                at += length
            sectors[str(digit)] = slots
        self._districts[outward] = sectors
        return sectors

    def unit(self, outward: str, digit: str, unit: str) -> int | None:
        """The combo of one full postcode, or None when it does not exist."""
        district = self._districts.get(outward)
        if district is None:
            district = self.district(outward)
            if district is None:
                return None
        slots = district.get(digit)
        if slots is None:
            return None
        v = slots[UNIT_INDEX[unit[0]] * 20 + UNIT_INDEX[unit[1]]]
        return v - 1 if v else None


def postcode_list() -> str:
    """The postcode list built in, as a user knows it: ``the postcode list of October 2025``."""
    from datetime import date

    for d in load_json("areas.json")["datasets"]:
        if d["id"] == "codepoint-open":
            return f"the postcode list of {date.fromisoformat(d['date']):%B %Y}"
    return "the postcode list"


class Areas:
    """Names and codes of forces, councils and constituencies (``areas.json``)."""

    def __init__(self) -> None:
        raw: dict[str, Any] = load_json("areas.json")
        self.raw = raw
        self.forces: list[list[str]] = raw["forces"]  # [id, name, pfa_code, nation]
        self.force_index = {f[0]: i for i, f in enumerate(self.forces)}
        self.las: list[list[Any]] = raw["local_authorities"]  # [code, name, force, aliases]
        self.constituencies: list[list[Any]] = raw["constituencies"]  # [code, name, name_cy, nation, shares]
        self.combos: list[list[int]] = raw["combos"]
        self.methods: list[str] = raw["methods"]
        self.bt_districts = set(raw["bt_districts"])

    def force_id(self, index: int) -> str:
        return self.forces[index][0]

    def force_name(self, force_id: str) -> str:
        return self.forces[self.force_index[force_id]][1]

    def force_of_combo(self, combo: int) -> str | None:
        la = self.combos[combo][0]
        return None if la < 0 else self.forces[self.las[la][2]][0]
