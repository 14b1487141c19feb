"""arXiv's subject classes: which category a user's name (``cs``, ``cs.CL``, ``hep-th``,
``astro-ph.GA``) covers, and the OAI-PMH set spec that asks for it.

A category is ``archive`` or ``archive.SUBCLASS``; archives belong to groups: most are their
own group (``cs``, ``math``, ``stat`` …), while the physics archives (``hep-th``,
``astro-ph``, ``quant-ph`` …) form the group ``physics``.
"""

from __future__ import annotations

import re

GROUPS = ("cs", "econ", "eess", "math", "physics", "q-bio", "q-fin", "stat")
PHYSICS_ARCHIVES = frozenset(
    "astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th math-ph nlin nucl-ex nucl-th "
    "physics quant-ph".split()
)
_NAME = re.compile(r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?")


class UnknownCategory(ValueError):
    """A name that is no arXiv category, archive or group; the message says which."""


def check(name: str) -> str:
    """``name`` as given when it can name arXiv categories, else :class:`UnknownCategory`."""
    archive = name.split(".", 1)[0]
    if not _NAME.fullmatch(name) or (archive not in GROUPS and archive not in PHYSICS_ARCHIVES):
        raise UnknownCategory(
            f"{name!r} is not an arXiv category (e.g. cs.CL, hep-th, astro-ph.GA, "
            f"or a group: {', '.join(GROUPS)})"
        )
    return name


def group_of(category: str) -> str:
    """The group a category or archive belongs to (``hep-th`` → ``physics``)."""
    archive = category.split(".", 1)[0]
    return "physics" if archive in PHYSICS_ARCHIVES else archive


def covers(name: str, category: str) -> bool:
    """Whether the user's ``name`` (a group, an archive or one category) covers ``category``."""
    return name in (category, category.split(".", 1)[0], group_of(category))


def set_spec(name: str) -> str:
    """The OAI-PMH set that holds ``name``'s papers: ``cs`` → ``cs``, ``cs.CL`` →
    ``cs:cs:CL``, ``hep-th`` → ``physics:hep-th``, ``astro-ph.GA`` → ``physics:astro-ph:GA``."""
    check(name)
    archive, _, subclass = name.partition(".")
    group = group_of(archive)
    if archive == group:  # cs, math, physics … (the group itself, or a class of it)
        return f"{group}:{archive}:{subclass}" if subclass else group
    return f"{group}:{archive}" + (f":{subclass}" if subclass else "")


def sql_condition(name: str, column: str) -> tuple[str, list[str]]:
    """An SQL condition on a category ``column`` that holds when ``name`` covers it, with its
    parameters; it ranges over the column's index (``cs`` is ``cs`` and ``cs.`` … ``cs/``)."""
    check(name)
    archives = sorted(PHYSICS_ARCHIVES) if name == "physics" else [name]
    terms, params = [], []
    for archive in archives:
        terms.append(f"{column} = ?")
        params.append(archive)
        if "." not in archive:  # an archive's classes sort between "archive." and "archive/"
            terms.append(f"({column} > ? AND {column} < ?)")
            params += [f"{archive}.", f"{archive}/"]
    return "(" + " OR ".join(terms) + ")", params
