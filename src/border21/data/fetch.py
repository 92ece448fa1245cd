"""Download publishers' current releases and load them (``border21 data fetch``).

Only sources with a stable, machine-readable download are listed in
:data:`PUBLISHER_URLS`; any other release can be fetched by passing its URL.
Network failures raise :class:`FetchError` (exit code 2 in the CLI) saying
that the publisher could not be reached, so offline use is never confusing.
"""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from border21.errors import Border21Error, InputError
from border21.i18n.message import Message

if TYPE_CHECKING:
    from border21.data.loaders import LoadResult
    from border21.data.store import Store

PUBLISHER_URLS: dict[str, str] = {
    # BTS Border Crossing/Entry Data, both borders, official columns (Socrata export)
    "crossings": "https://data.bts.gov/api/views/keg4-3bc2/rows.csv?accessType=DOWNLOAD",
}


class FetchError(Border21Error):
    """A download failed: no network, publisher unreachable, or an HTTP error."""


def download(url: str, dest_dir: Path, *, name: str, timeout_s: float = 60.0) -> Path:
    """Stream ``url`` into ``dest_dir/name-YYYYmmddTHHMMSS.ext`` and return the path.

    The file is written under a temporary name and renamed when complete, so a
    broken download never leaves a truncated file that looks finished.
    """
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise InputError("url", url, Message("only http and https URLs can be fetched"))
    dest_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".parquet" if url.lower().split("?")[0].endswith(".parquet") else ".csv"
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = dest_dir / f"{re.sub(r'[^A-Za-z0-9_-]', '_', name)}-{stamp}{suffix}"
    partial = target.with_suffix(target.suffix + ".part")
    host = urlparse(url).netloc
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, partial.open("wb") as fh:
            shutil.copyfileobj(response, fh, length=1 << 20)
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the response socket
        partial.unlink(missing_ok=True)
        raise FetchError(
            Message("{host} answered HTTP {code} for {url}", host=host, code=exc.code, url=url)
        ) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            Message(
                "cannot reach {host} ({reason}); no network? The shipped samples still "
                "work: `border21 data init`",
                host=host,
                reason=reason,
            )
        ) from None
    partial.rename(target)
    return target


def fetch_source(
    store: Store, source: str, dest_dir: Path, *, url: str | None = None, timeout_s: float = 60.0
) -> LoadResult:
    """Download ``source`` (from ``url`` or its publisher) and load it idempotently."""
    from border21.data.loaders import SOURCES, load_source

    if source not in SOURCES:
        raise InputError(
            "source",
            source,
            Message("known sources: {sources}", sources=", ".join(sorted(SOURCES))),
        )
    if url is None:
        if source not in PUBLISHER_URLS:
            raise InputError(
                "source",
                source,
                Message("no stable publisher download known; pass --url to fetch a release"),
            )
        url = PUBLISHER_URLS[source]
    path = download(url, dest_dir, name=source, timeout_s=timeout_s)
    return load_source(store, source, path, label=url)
