"""Import digests — files or http(s) URLs — into the cache, one transaction per digest."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from typing import TYPE_CHECKING

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.http import FetchError, describe_error, make_client, send, status_error
from paperdeck.storage.models import ImportReport
from paperdeck.storage.parsers.digest import DigestParser

if TYPE_CHECKING:
    import httpx

_URL = re.compile(r"^https?://", re.IGNORECASE)


EMPTY_DAY = "a daily-arXiv page with no topics: nothing announced that day"


def is_url(source: str) -> bool:
    return bool(_URL.match(source))


def digest_outcome(parser: DigestParser, source: str, papers: bool) -> tuple[str, str | None]:
    """What a digest read to its end comes to: a note (an empty day) and an error (no
    digest table, no row that could be read). ``papers``: it gave at least one paper."""
    if parser.tables == 0 and parser.page_header:
        return EMPTY_DAY, None
    if parser.tables == 0:
        return "", (
            f"{source}: no digest table found "
            "(expected a header row like |Publish Date|Title|Authors|PDF|Code|)"
        )
    if not papers and parser.skipped:
        return "", f"{source}: none of the {len(parser.skipped)} rows could be read"
    return "", None


def _store(cache: Cache, parser: DigestParser, records, source: str) -> ImportReport:
    """Store parsed records in one transaction and say how it went."""
    report = ImportReport(source=source)
    with cache.transaction():
        report.counts = cache.upsert(records)
    report.skipped = parser.skipped
    report.note, report.error = digest_outcome(parser, source, report.counts.total > 0)
    return report


MAX_DIGEST_BYTES = 64 << 20
"""A digest larger than this once decompressed is refused (real ones are under 2 MB;
feeds have the same cap)."""


def import_lines(cache: Cache, lines: Iterable[bytes | str], source: str) -> ImportReport:
    """Parse digest lines and store what they hold, all in one transaction."""
    parser = DigestParser()
    return _store(cache, parser, parser.parse(lines), source)


def import_file(cache: Cache, path: str, source: str | None = None) -> ImportReport:
    """Import a digest file; ``source`` names it in messages (a URL it came from)."""
    source = source or path
    try:
        with open(path, "rb") as handle:
            return import_lines(cache, handle, source)
    except FileNotFoundError:
        message = f"{source}: no such file"
    except IsADirectoryError:
        message = f"{source}: is a directory, not a digest file"
    except PermissionError:
        message = f"{source}: permission denied"
    except OSError as exc:
        message = f"{source}: cannot read ({exc.strerror or exc})"
    return ImportReport(source=source, error=message)


def download(url: str, client: httpx.Client, headers: dict[str, str] | None = None, **send_options):
    """Fetch ``url`` into a temporary file (so no transaction waits on the network).

    At most :data:`MAX_DIGEST_BYTES` (decompressed) are kept; more is a :class:`FetchError`.
    Returns ``(path, response)``: the caller deletes the file. The path is None when
    the server answered 304 Not Modified. Raises :class:`FetchError` for transport
    failures and error statuses. ``send_options`` go to :func:`paperdeck.storage.http.send`
    (backoff, sleep).
    """
    import httpx

    request = client.build_request("GET", url, headers=headers or {})
    response = send(client, request, stream=True, **send_options)
    try:
        if response.status_code == 304:
            return None, response
        if response.status_code >= 400:
            raise status_error(response)
        with tempfile.NamedTemporaryFile(prefix="paperdeck-", suffix=".md", delete=False) as out:
            try:
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DIGEST_BYTES:
                        raise FetchError(
                            f"{url} sent more than {MAX_DIGEST_BYTES:,} bytes; stopped reading",
                            status=response.status_code,
                        )
                    out.write(chunk)
            except BaseException as exc:
                out.close()
                os.unlink(out.name)
                if isinstance(exc, httpx.HTTPError):
                    raise FetchError(describe_error(exc, url)) from None
                raise
        return out.name, response
    finally:
        response.close()


def import_url(cache: Cache, url: str, client: httpx.Client | None = None) -> ImportReport:
    own = client is None
    client = client or make_client()
    try:
        path, _ = download(url, client)
    except FetchError as exc:
        return ImportReport(source=url, error=str(exc))
    finally:
        if own:
            client.close()
    try:
        return import_file(cache, path, source=url)
    finally:
        os.unlink(path)


def import_source(cache: Cache, source: str, client: httpx.Client | None = None) -> ImportReport:
    """Import a digest from a path or an http(s) URL."""
    if is_url(source):
        return import_url(cache, source, client)
    return import_file(cache, source)
