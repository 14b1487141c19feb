"""A stand-in for arXiv's OAI-PMH endpoint (``https://oaipmh.arxiv.org/oai``), speaking the
protocol as arXiv's server does (arXiv/oaipmh's templates): ``ListRecords`` in the ``arXiv``
format, sets ``group``, ``group:archive``, ``group:archive:CLASS``, ``from`` inclusive,
pages ordered by datestamp then id, an opaque resumption token on every page but the
last, which has an empty ``<resumptionToken/>``; errors with HTTP 200 and ``<error code>``."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from tests.support.loopback import Reply, Request

XML_TYPE = {"Content-Type": "text/xml; charset=utf-8"}
_PHYSICS = {
    "astro-ph",
    "cond-mat",
    "gr-qc",
    "hep-ex",
    "hep-lat",
    "hep-ph",
    "hep-th",
    "math-ph",
    "nlin",
    "nucl-ex",
    "nucl-th",
    "physics",
    "quant-ph",
}


@dataclass
class Record:
    id: str
    datestamp: str
    categories: tuple[str, ...] = ("cs.CL",)
    title: str = "A paper"
    authors: tuple[tuple[str, str, str], ...] = (("Lovelace", "Ada", ""),)
    """(keyname, forenames, suffix)."""
    created: str = "2024-01-02"
    updated: str = ""
    abstract: str = "An abstract."
    comments: str = ""
    journal_ref: str = ""
    doi: str = ""
    license: str = "http://creativecommons.org/licenses/by/4.0/"
    deleted: bool = False

    def sets(self) -> set[str]:
        specs = set()
        for category in self.categories:
            archive, _, sub = category.partition(".")
            group = "physics" if archive in _PHYSICS else archive
            specs.add(group)
            if archive == group:
                specs.add(f"{group}:{archive}:{sub}" if sub else group)
            else:
                specs.add(f"{group}:{archive}")
                if sub:
                    specs.add(f"{group}:{archive}:{sub}")
        return specs

    def xml(self) -> str:
        status = ' status="deleted"' if self.deleted else ""
        header = (
            f"<header{status}>"
            f"<identifier>oai:arXiv.org:{self.id}</identifier><datestamp>{self.datestamp}</datestamp>"
            + "".join(f"<setSpec>{s}</setSpec>" for s in sorted(self.sets()))
            + "</header>"
        )
        if self.deleted:
            return f"<record>{header}</record>"
        authors = "".join(
            f"<author><keyname>{escape(k)}</keyname><forenames>{escape(f)}</forenames>"
            + (f"<suffix>{escape(s)}</suffix>" if s else "")
            + "</author>"
            for k, f, s in self.authors
        )
        optional = "".join(
            f"<{tag}>{escape(value)}</{tag}>"
            for tag, value in (
                ("comments", self.comments),
                ("journal-ref", self.journal_ref),
                ("doi", self.doi),
                ("license", self.license),
            )
            if value
        )
        updated = f"<updated>{self.updated}</updated>" if self.updated else ""
        return (
            f"<record>{header}<metadata>"
            '<arXiv xmlns="http://arxiv.org/OAI/arXiv/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd">'
            f"<id>{self.id}</id><created>{self.created}</created>{updated}"
            f"<authors>{authors}</authors><title>{escape(self.title)}</title>"
            f"<categories>{' '.join(self.categories)}</categories>{optional}"
            f"<abstract>{escape(self.abstract)}</abstract></arXiv></metadata></record>"
        )


@dataclass
class OaiRepository:
    """The records the stand-in serves; use :meth:`handle` as a loopback route."""

    records: list[Record] = field(default_factory=list)
    page_size: int = 10
    tokens: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    """Tokens handed out: (set, from, offset of the page it asks for)."""

    def handle(self, request: Request) -> Reply:
        query = {k: v[0] for k, v in request.query.items()}
        if query.get("verb") != "ListRecords":
            return self._error("badVerb", "Illegal verb")
        if "resumptionToken" in query:
            if set(query) != {"verb", "resumptionToken"}:
                return self._error("badArgument", "resumptionToken is exclusive")
            found = self.tokens.get(query["resumptionToken"])
            if found is None:
                return self._error("badResumptionToken", "Token not valid or expired")
            spec, since, offset = found
        else:
            if query.get("metadataPrefix") != "arXiv":
                return self._error("cannotDisseminateFormat", "Unknown format")
            spec, since, offset = query.get("set", ""), query.get("from", ""), 0
        chosen = sorted(
            (r for r in self.records if (not spec or spec in r.sets()) and r.datestamp >= since),
            key=lambda r: (r.datestamp, r.id),
        )
        if not chosen:
            return self._error("noRecordsMatch", "No records match")
        page = chosen[offset : offset + self.page_size]
        if offset + self.page_size < len(chosen):
            token = f"{len(self.tokens) + 1:04d}|{spec}|{offset + self.page_size}"
            self.tokens[token] = (spec, since, offset + self.page_size)
            resumption = f'<resumptionToken cursor="{offset}">{escape(token)}</resumptionToken>'
        else:
            resumption = f'<resumptionToken cursor="{offset}"/>'
        body = "<ListRecords>" + "".join(r.xml() for r in page) + resumption + "</ListRecords>"
        return self._envelope(body)

    @staticmethod
    def _envelope(body: str) -> Reply:
        return Reply(
            200,
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<responseDate>2026-12-07T06:00:00Z</responseDate>"
            '<request verb="ListRecords">https://oaipmh.arxiv.org/oai</request>'
            f"{body}</OAI-PMH>",
            XML_TYPE,
        )

    def _error(self, code: str, text: str) -> Reply:
        return self._envelope(f'<error code="{code}">{escape(text)}</error>')
