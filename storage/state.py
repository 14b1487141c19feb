"""Choices the reader remembers between runs (the sort order), in a small JSON file
next to the cache. Written atomically; a missing or damaged file means defaults."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from paperdeck.storage.cache.views import SORTS
from paperdeck.storage.config import data_dir


@dataclass(slots=True)
class UiState:
    sort: str = "date"


def state_path() -> Path:
    return data_dir() / "ui-state.json"


def load_state(path: Path | None = None) -> UiState:
    try:
        data = json.loads((path or state_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UiState()
    sort = data.get("sort") if isinstance(data, dict) else None
    return UiState(sort=sort if sort in SORTS else "date")


def save_state(state: UiState, path: Path | None = None) -> None:
    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as out:
        json.dump(asdict(state), out)
    os.replace(out.name, path)
