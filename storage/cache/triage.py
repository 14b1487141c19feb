"""Triage decisions in the cache: star, later, dismiss and tag a paper (each also marks it
read), and undo any of them exactly.

A decision is one transaction: what the paper's state was (a :class:`Before`) is read and
the new state written together, so a crash loses no decision that was made and an undo
puts back precisely what was there — a star the paper already had stays, a tag it did not
have goes. A dismissal is user state like a star ("not for me", with its time); the
interest order learns from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from paperdeck.storage.cache.database import Cache, chunks, now
from paperdeck.storage.cache.library import change_tags, tags_of

_FIELDS = ("read", "starred", "later", "dismissed")
DECISIONS = ("star", "later", "dismiss", "tag", "skip")


@dataclass(frozen=True, slots=True)
class Before:
    """A paper's state before a decision: each field with its time, and whether it
    carried each tag the decision changed."""

    paper_id: str
    fields: dict[str, tuple[int, str | None]]
    tags: dict[str, bool] = field(default_factory=dict)


def _state(cache: Cache, paper_id: str) -> dict[str, tuple[int, str | None]]:
    row = cache.conn.execute(
        f"SELECT {', '.join(f'{name}, {name}_at' for name in _FIELDS)} "
        "FROM user_state WHERE paper_id = ?",
        (paper_id,),
    ).fetchone()
    if row is None:
        return {name: (0, None) for name in _FIELDS}
    return {name: (row[2 * n], row[2 * n + 1]) for n, name in enumerate(_FIELDS)}


def _write(cache: Cache, paper_id: str, values: dict[str, tuple[int, str | None]]) -> None:
    names = list(values)
    cache.conn.execute(
        f"""INSERT INTO user_state(paper_id, {', '.join(f'{n}, {n}_at' for n in names)})
            VALUES (?, {', '.join('?, ?' for _ in names)})
            ON CONFLICT(paper_id) DO UPDATE SET
            {', '.join(f'{n} = excluded.{n}, {n}_at = excluded.{n}_at' for n in names)}""",
        [paper_id, *(value for n in names for value in values[n])],
    )


def decide(cache: Cache, paper_id: str, decision: str, tag: str | None = None) -> Before:
    """Apply one triage decision to a paper and return what it was before.

    ``star``, ``later`` and ``dismiss`` set that flag; ``tag`` toggles ``tag``; each also
    marks the paper read (a dismissal stays until undone or the paper is starred or put on
    the later list, which take it back). ``skip`` changes nothing."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    with cache.transaction():
        state = _state(cache, paper_id)
        had = tag in tags_of(cache, [paper_id]).get(paper_id, []) if tag else False
        before = Before(paper_id, state, {tag: had} if tag else {})
        if decision == "skip":
            return before
        stamp = now()
        changes: dict[str, tuple[int, str | None]] = {}
        if not state["read"][0]:
            changes["read"] = (1, stamp)
        flag = {"star": "starred", "later": "later", "dismiss": "dismissed"}.get(decision)
        if flag and not state[flag][0]:
            changes[flag] = (1, stamp)
        if decision in ("star", "later") and state["dismissed"][0]:
            changes["dismissed"] = (0, stamp)  # liked after all: no longer "not for me"
        if changes:
            _write(cache, paper_id, changes)
        if tag:
            change_tags(cache, [paper_id], add=() if had else [tag], remove=[tag] if had else ())
    return before


def undo(cache: Cache, before: Before) -> None:
    """Put a paper back as it was before a decision (fields, their times, the tag)."""
    with cache.transaction():
        current = _state(cache, before.paper_id)
        changed = {n: v for n, v in before.fields.items() if current.get(n) != v}
        if changed:
            _write(cache, before.paper_id, changed)
        for tag, had in before.tags.items():
            now_has = tag in tags_of(cache, [before.paper_id]).get(before.paper_id, ())
            if now_has != had:
                change_tags(
                    cache, [before.paper_id], add=[tag] if had else (), remove=() if had else [tag]
                )


def set_dismissed(cache: Cache, paper_ids: Sequence[str], on: bool) -> list[str]:
    """Dismiss papers (read, and "not for me") or take the dismissal back; returns the
    papers that changed."""
    stamp = now()
    changed = []
    with cache.transaction():
        for paper_id in dict.fromkeys(paper_ids):
            state = _state(cache, paper_id)
            if bool(state["dismissed"][0]) == on:
                continue
            values = {"dismissed": (int(on), stamp)}
            if on and not state["read"][0]:
                values["read"] = (1, stamp)
            _write(cache, paper_id, values)
            changed.append(paper_id)
    return changed


def dismissed(cache: Cache, paper_ids: Sequence[str]) -> set[str]:
    """Which of ``paper_ids`` are dismissed."""
    found: set[str] = set()
    for part in chunks(paper_ids):
        found.update(
            pid
            for (pid,) in cache.conn.execute(
                f"SELECT paper_id FROM user_state WHERE dismissed AND paper_id IN "
                f"({','.join('?' * len(part))})",
                part,
            )
        )
    return found
