"""Bringing one paper into the cache by its arXiv id: one API request (``id_list``).

The reading screen uses it when a reference names an arXiv paper the cache does not hold:
the paper's metadata comes in through the same ``arxiv`` package, session and parsing as
a topic sync (:mod:`paperdeck.storage.sources.arxiv_api`), pointed at ``[arxiv] api_url``.
"""

from __future__ import annotations

import threading

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import ArxivSettings
from paperdeck.storage.fulltext.store import Keep, at_once
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.sources.base import Pacer, SourceError, Unreachable


class LookupFailed(Exception):
    """arXiv could not be asked, or knows no such paper; the message says which.
    ``unreachable``: arXiv did not answer at all (offline)."""

    def __init__(self, message: str, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable


def fetch_paper(paper_id: str, settings: ArxivSettings) -> Paper:
    """The paper's metadata from the arXiv API (one request)."""
    import arxiv

    from paperdeck.storage.sources.arxiv_api import polite_client, to_paper

    pacer = Pacer(settings.delay_seconds, threading.Event())
    # A refused or unresolved connection is said at once (the reader waits on this), not
    # after the retries a sync makes; 429 and 5xx are still tried again.
    client, session = polite_client(
        settings.api_url, 1, 0, pacer, lambda: None, connection_retries=0
    )
    try:
        results = list(client.results(arxiv.Search(id_list=[paper_id], max_results=1)))
    except SourceError as exc:
        raise LookupFailed(str(exc), unreachable=isinstance(exc, Unreachable)) from None
    except (arxiv.ArxivError, ValueError, TypeError, OverflowError) as exc:
        raise LookupFailed(f"arXiv's answer about {paper_id} cannot be read ({exc})") from None
    finally:
        session.close()
    for result in results:
        paper = to_paper(result)
        if paper is not None and paper.id == paper_id:
            return paper
    raise LookupFailed(f"arXiv knows no paper {paper_id}")


def bring_in(
    cache: Cache, paper_id: str, settings: ArxivSettings, keep: Keep | None = None
) -> Paper:
    """The cached paper, or the paper fetched from arXiv and stored now (by ``keep``)."""
    paper = cache.paper(paper_id)
    if paper is not None:
        return paper
    paper = fetch_paper(paper_id, settings)
    (keep or at_once(cache))(lambda into: into.upsert([Incoming(paper)]))
    return cache.paper(paper_id) or paper
