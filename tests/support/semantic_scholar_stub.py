"""A stand-in for Semantic Scholar's Graph API paper endpoint: answers
``/graph/v1/paper/arXiv:<id>?fields=…`` as the real one does (nested ``references`` and
``citations`` with ``externalIds``, null for unmatched papers; 404 with an ``error``; 429
with ``Retry-After`` while "busy")."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.loopback import Reply, Request

PATH = "/graph/v1/paper/"


def entry(arxiv: str | None, title: str = "A cited paper", doi: str | None = None) -> dict:
    if arxiv is None and doi is None:
        return {"paperId": None, "externalIds": None, "title": title}
    ids = {"CorpusId": 1234}
    if arxiv:
        ids["ArXiv"] = arxiv
    if doi:
        ids["DOI"] = doi
    return {"paperId": f"s2-{arxiv or doi}", "externalIds": ids, "title": title}


@dataclass
class Graph:
    """``papers``: arXiv id → (citationCount, references, citations)."""

    papers: dict[str, tuple[int, list[dict], list[dict]]] = field(default_factory=dict)
    busy: int = 0
    """Answer this many requests with 429 first."""
    retry_after: str = "1"

    def __call__(self, request: Request) -> Reply:
        if self.busy > 0:
            self.busy -= 1
            return Reply.json(
                {"message": "Too Many Requests. Please wait and try again or apply for a key "
                 "for higher rate limits."},
                429,
                **{"Retry-After": self.retry_after},
            )
        name = request.path.removeprefix(PATH)
        if not name.startswith("arXiv:") or name[6:] not in self.papers:
            return Reply.json({"error": f"Paper with id {name} not found"}, 404)
        count, refs, cites = self.papers[name[6:]]
        fields = request.query.get("fields", [""])[0].split(",")
        answer: dict = {"paperId": f"s2-{name[6:]}"}
        if "citationCount" in fields:
            answer["citationCount"] = count
        if "references.externalIds" in fields:
            answer["references"] = refs
        if "citations.externalIds" in fields:
            answer["citations"] = cites
        return Reply.json(answer)
