"""The HTTP part of reading component-site feeds: polite, bounded, conditional.

Takes an injected `httpx.Client` (tests pass one aimed at a server on 127.0.0.1). Each request has
a timeout; connect errors and 5xx answers are retried with exponential backoff a bounded number of
times; at most `concurrency` sites are read at once; ETag / Last-Modified from the previous run are
sent back so an unchanged feed answers 304 and costs nothing. Every failure becomes a FeedError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from commstats import __version__
from commstats.catalog import SiteSpec
from etl.extract.feeds import FeedError, FeedPost, read_document
from etl.limits import current as limits

USER_AGENT = f"commstats/{__version__} (component-site post counter of a Department of Information and Communications)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError)


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 20.0  # seconds, per connect / read
    attempts: int = 3  # tries per URL for connect errors and 5xx
    backoff: float = 1.0  # seconds before the 2nd try; doubled each time
    max_backoff: float = 10.0
    concurrency: int = 4  # sites read at once
    max_bytes: int = field(default_factory=lambda: limits().feed_bytes)
    max_sitemaps: int = 50  # child sitemaps read from one sitemap index


@dataclass(frozen=True)
class Validators:
    """What a server said about a document, to send back as If-None-Match / If-Modified-Since."""

    etag: str = ""
    last_modified: str = ""

    def headers(self) -> dict[str, str]:
        sent = {}
        if self.etag:
            sent["If-None-Match"] = self.etag
        if self.last_modified:
            sent["If-Modified-Since"] = self.last_modified
        return sent


@dataclass(frozen=True)
class Fetched:
    url: str
    not_modified: bool
    content: bytes = b""
    content_type: str = ""
    validators: Validators = Validators()


@dataclass
class SiteFetch:
    """What one site's feed gave: its posts, or 304, or the error that stopped it."""

    site: SiteSpec
    posts: list[FeedPost] = field(default_factory=list)
    not_modified: bool = False
    validators: dict[str, Validators] = field(default_factory=dict)  # URL -> what to store (200 answers)
    checked: list[str] = field(default_factory=list)  # URLs answered 200 or 304
    error: FeedError | None = None
    sitemaps_skipped: int = 0
    digest: str = ""


def make_client(policy: FetchPolicy | None = None) -> httpx.Client:
    policy = policy or FetchPolicy()
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        timeout=httpx.Timeout(policy.timeout),
        follow_redirects=True,
        limits=httpx.Limits(max_connections=policy.concurrency * 2),
    )


def fetch_sites(
    client: httpx.Client,
    sites: Sequence[SiteSpec],
    known: Mapping[str, Validators],
    policy: FetchPolicy,
    since: dt.datetime | None = None,
    read_in_full: Collection[str] = (),
) -> list[SiteFetch]:
    """Read every site's feed, `policy.concurrency` at a time; results in the order of `sites`.

    Sites whose code is in `read_in_full` send no conditional headers (nothing of theirs is stored yet).
    """

    def one(site: SiteSpec) -> SiteFetch:
        return fetch_site(client, site, {} if site.code in read_in_full else known, policy, since)

    with ThreadPoolExecutor(max_workers=max(1, policy.concurrency), thread_name_prefix="feed") as pool:
        return list(pool.map(one, sites))


def fetch_site(
    client: httpx.Client,
    site: SiteSpec,
    known: Mapping[str, Validators],
    policy: FetchPolicy,
    since: dt.datetime | None = None,
) -> SiteFetch:
    """One site: its feed or sitemap, and the child sitemaps of a sitemap index (newer than `since`)."""
    result = SiteFetch(site)
    hashes: list[str] = []
    try:
        first = get(client, site.feed_url, known.get(site.feed_url), policy)
        _note(result, site.feed_url, first, hashes)
        if first.not_modified:
            result.not_modified = True
            return result
        document = read_document(first.content, first.content_type, first.url)
        result.posts.extend(document.posts)
        children = [c for c in document.sitemaps if since is None or c.lastmod is None or c.lastmod >= since]
        children.sort(key=lambda c: c.lastmod or dt.datetime.max.replace(tzinfo=dt.UTC), reverse=True)
        result.sitemaps_skipped = max(0, len(children) - policy.max_sitemaps)
        for child in children[: policy.max_sitemaps]:
            fetched = get(client, child.url, known.get(child.url), policy)
            _note(result, child.url, fetched, hashes)
            if not fetched.not_modified:
                child_document = read_document(fetched.content, fetched.content_type, fetched.url)
                if child_document.kind == "sitemapindex":
                    raise FeedError("feed_nested_index", url=child.url)
                result.posts.extend(child_document.posts)
    except FeedError as error:
        error.params.setdefault("url", site.feed_url)
        result.error = error
    result.digest = hashlib.sha256("".join(hashes).encode()).hexdigest()
    return result


def get(client: httpx.Client, url: str, previous: Validators | None, policy: FetchPolicy) -> Fetched:
    """GET with conditional headers, retrying connect errors and 5xx with exponential backoff."""
    headers = previous.headers() if previous else {}
    attempts = max(1, policy.attempts)
    for attempt in range(1, attempts + 1):
        try:
            return _get_once(client, url, headers, policy)
        except _Retry as retry:
            if attempt == attempts:
                retry.error.params["attempts"] = attempts
                raise retry.error from retry
        time.sleep(min(policy.max_backoff, policy.backoff * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")


class _Retry(Exception):
    def __init__(self, error: FeedError):
        super().__init__(error.key)
        self.error = error


def _get_once(client: httpx.Client, url: str, headers: dict[str, str], policy: FetchPolicy) -> Fetched:
    try:
        with client.stream("GET", url, headers=headers, timeout=policy.timeout) as response:
            status = response.status_code
            if status == 304:
                return Fetched(str(response.url), True, validators=_validators(response))
            if status in RETRY_STATUSES:
                raise _Retry(FeedError("feed_server_error", url=url, status=status))
            if status == 404 or status == 410:
                raise FeedError("feed_not_found", url=url, status=status)
            if status >= 400:
                raise FeedError("feed_http_error", url=url, status=status)
            content = _read_capped(response, policy.max_bytes)
            content_type = response.headers.get("content-type", "")
            return Fetched(str(response.url), False, content, content_type, _validators(response))
    except RETRY_ERRORS as error:
        raise _Retry(FeedError("feed_unreachable", url=url, detail=_describe(error))) from error
    except httpx.TimeoutException as error:
        raise FeedError("feed_timeout", url=url, seconds=f"{policy.timeout:g}") from error
    except httpx.TooManyRedirects as error:
        raise FeedError("feed_http_error", url=url, status="3xx") from error
    except httpx.HTTPError as error:  # invalid URL, unsupported scheme, decoding error...
        raise FeedError("feed_unreachable", url=url, detail=_describe(error), attempts=1) from error


def _read_capped(response: httpx.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FeedError("feed_too_large", url=str(response.url), limit_mb=round(limit / (1024 * 1024), 1))
        chunks.append(chunk)
    return b"".join(chunks)


def _describe(error: Exception) -> str:
    """The error's kind and, when it says more, its first line (e.g. name resolution failed)."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text[:160]}" if text else type(error).__name__


def _validators(response: httpx.Response) -> Validators:
    return Validators(response.headers.get("etag", ""), response.headers.get("last-modified", ""))


def _note(result: SiteFetch, requested: str, fetched: Fetched, hashes: list[str]) -> None:
    """Remember the answer under the URL asked for (the one the next run will ask for again)."""
    result.checked.append(requested)
    if not fetched.not_modified:
        result.validators[requested] = fetched.validators
        hashes.append(hashlib.sha256(fetched.content).hexdigest())
