"""Every key of the reader has a binding id, the README lists exactly those ids, and
``[keys]`` accepts exactly them. Dialogs (modal screens) keep their keys to themselves:
their buttons say them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from textual.binding import Binding
from textual.screen import ModalScreen

import paperdeck.tui
from paperdeck.tui.app import reader_binding_ids

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_ids() -> list[str]:
    """The ids in the README's sentence "(the ids: `down up first …`)"."""
    found = re.search(r"the ids: `([^`]*)`", README.read_text())
    assert found, "README.md no longer lists the binding ids"
    return found.group(1).split()


def declared_bindings() -> dict[str, list]:
    """Per class of paperdeck.tui (but dialogs), the bindings it declares itself."""
    declared = {}
    for module in pkgutil.walk_packages(paperdeck.tui.__path__, "paperdeck.tui."):
        for name, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if (
                cls.__module__ == module.name
                and "BINDINGS" in cls.__dict__
                and not issubclass(cls, ModalScreen)
            ):
                declared[f"{module.name}.{name}"] = cls.BINDINGS
    return declared


def test_every_binding_of_the_reader_has_an_id():
    without = [
        f"{where}: {binding}"
        for where, bindings in declared_bindings().items()
        for binding in bindings
        if not isinstance(binding, Binding) or not binding.id
    ]
    assert without == []


def test_the_readme_lists_exactly_the_binding_ids_the_code_declares():
    declared = {b.id for bindings in declared_bindings().values() for b in bindings}
    listed = readme_ids()
    assert len(listed) == len(set(listed)), "an id is listed twice"
    assert {
        "in the code, not in README.md": sorted(declared - set(listed)),
        "in README.md, not in the code": sorted(set(listed) - declared),
    } == {"in the code, not in README.md": [], "in README.md, not in the code": []}


def test_keys_remaps_exactly_the_listed_ids():
    assert reader_binding_ids() == set(readme_ids())
