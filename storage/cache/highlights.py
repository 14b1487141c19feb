"""Highlights in the cache: passages of a paper's full text, each with an optional comment.

A highlight names the blocks it spans in the paper's document (``block`` to
``end_block``), the passage as the reader selected it (``quote``), the anchor of the
page nearest before it (for a deep link) and the paper's version. It is user state: kept
apart from the full text (a paper fetched again keeps its highlights), and logged by
triggers as the library field ``hl:<hid>`` (the highlight as JSON, null once deleted), so
it travels with the library and the journal beside the cache like a tag or a note.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, astuple, dataclass

from paperdeck.storage.cache.database import Cache, now

HID = re.compile(r"[0-9a-f]{8,32}")
"""A highlight's id: made at random where it is made, the same on every machine."""

_COLUMNS = "paper_id, hid, version, block, end_block, anchor, quote, comment, made_at"
_JSON_KEYS = {"version": "v", "block": "b", "end_block": "e", "anchor": "a", "quote": "q"}
_JSON_KEYS |= {"comment": "c", "made_at": "m"}


@dataclass(frozen=True, slots=True)
class Highlight:
    paper_id: str
    hid: str
    version: int | None
    block: int
    end_block: int
    anchor: str
    quote: str
    comment: str
    made_at: str

    def to_json(self) -> str:
        """What its library line carries (the same keys the triggers write)."""
        data = asdict(self)
        return json.dumps({short: data[name] for name, short in _JSON_KEYS.items()})

    @classmethod
    def from_json(cls, paper_id: str, hid: str, text: str) -> Highlight:
        """The highlight a library line carries; ValueError when it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a highlight must be an object")
        values = {name: data.get(short) for name, short in _JSON_KEYS.items()}
        version = values["version"]
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise ValueError("a highlight's version must be a number or null")
        for name in ("block", "end_block"):
            if not isinstance(values[name], int) or isinstance(values[name], bool):
                raise ValueError(f"a highlight's {name} must be a number")
        if not 0 <= values["block"] <= values["end_block"]:
            raise ValueError("a highlight's blocks must run forwards")
        for name in ("anchor", "quote", "comment", "made_at"):
            if not isinstance(values[name], str):
                raise ValueError(f"a highlight's {name} must be text")
        return cls(paper_id, hid, **values)


def new_hid() -> str:
    return secrets.token_hex(8)


def add(
    cache: Cache,
    paper_id: str,
    version: int | None,
    blocks: tuple[int, int],
    anchor: str,
    quote: str,
    comment: str = "",
) -> Highlight:
    """Keep a new highlight of ``quote`` (blocks ``blocks[0]`` to ``blocks[1]``)."""
    made = Highlight(paper_id, new_hid(), version, *blocks, anchor, quote, comment, now())
    save(cache, made)
    return made


def save(cache: Cache, highlight: Highlight) -> None:
    """Write ``highlight`` (new, or replacing the one with its id)."""
    with cache.transaction():
        upsert(cache, [highlight])


def delete(cache: Cache, paper_id: str, hid: str) -> bool:
    with cache.transaction():
        return remove(cache, [(paper_id, hid)]) > 0


def upsert(cache: Cache, highlights: list[Highlight]) -> None:
    """Write ``highlights`` in the caller's transaction."""
    cache.conn.executemany(
        f"""INSERT INTO highlights({_COLUMNS}) VALUES ({", ".join("?" * 9)})
            ON CONFLICT(paper_id, hid) DO UPDATE SET version = excluded.version,
                block = excluded.block, end_block = excluded.end_block,
                anchor = excluded.anchor, quote = excluded.quote,
                comment = excluded.comment, made_at = excluded.made_at""",
        [astuple(highlight) for highlight in highlights],
    )


def remove(cache: Cache, which: list[tuple[str, str]]) -> int:
    """Delete the highlights (paper id, highlight id) in the caller's transaction;
    returns how many there were."""
    before = cache.conn.total_changes
    cache.conn.executemany("DELETE FROM highlights WHERE paper_id = ? AND hid = ?", which)
    return cache.conn.total_changes - before


def of_paper(cache: Cache, paper_id: str) -> list[Highlight]:
    """The paper's highlights in reading order."""
    rows = cache.conn.execute(
        f"SELECT {_COLUMNS} FROM highlights WHERE paper_id = ? ORDER BY block, end_block, made_at",
        (paper_id,),
    )
    return [Highlight(*row) for row in rows]
