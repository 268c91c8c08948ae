"""RSS 2.0, RSS 1.0, Atom and sitemap (and sitemap index) documents → posts. Pure parsing, no network.

Every document is first parsed with defusedxml, which refuses entity declarations (billion laughs)
and external entities (XXE) and tells malformed XML apart; RSS/Atom entries are then read with
feedparser, sitemaps with the already parsed tree. Times are returned time-zone aware: a date
without a zone is taken as Vietnam time (UTC+7, no daylight saving), the sites' own clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import hashlib
import io
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from etl.limits import current as limits

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
MAX_GUID = 1024
DocumentKind = Literal["rss", "atom", "sitemap", "sitemapindex"]

_FEED_ROOTS: dict[str, DocumentKind] = {"rss": "rss", "RDF": "rss", "feed": "atom"}
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_DAY_FIRST = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:\s+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?$")


class FeedError(Exception):
    """A document (or the fetch of one) that cannot be read; `key` names a message in commstats.i18n."""

    def __init__(self, key: str, **params: Any):
        super().__init__(f"{key}: {params}")
        self.key = key
        self.params = params


@dataclass(frozen=True)
class FeedPost:
    guid: str
    url: str
    title: str
    published: dt.datetime | None  # time-zone aware; None when the item has no usable date


@dataclass(frozen=True)
class ChildSitemap:
    url: str
    lastmod: dt.datetime | None


@dataclass
class FeedDocument:
    kind: DocumentKind
    posts: list[FeedPost] = field(default_factory=list)
    sitemaps: list[ChildSitemap] = field(default_factory=list)  # only for a sitemap index


def extract(content: bytes, content_type: str, base_url: str) -> Iterator[FeedPost]:
    """The posts of an RSS/Atom feed or a sitemap (a sitemap index has none: see `read_document`)."""
    yield from read_document(content, content_type, base_url).posts


def read_document(content: bytes, content_type: str, base_url: str) -> FeedDocument:
    """Parse one fetched document; raises FeedError saying what is wrong with it."""
    content = _gunzip(content)
    if not content.strip():
        raise FeedError("feed_empty")
    if _looks_like_html(content, content_type):
        raise FeedError("feed_html")
    _count_entries(content)
    root = _safe_root(content)
    name = _local_name(root.tag)
    if name == "urlset":
        return FeedDocument("sitemap", posts=list(_sitemap_posts(root, base_url)))
    if name == "sitemapindex":
        return FeedDocument("sitemapindex", sitemaps=list(_sitemap_children(root, base_url)))
    if name in _FEED_ROOTS:
        return FeedDocument(_FEED_ROOTS[name], posts=list(_feed_posts(content, content_type, base_url)))
    if name == "html":
        raise FeedError("feed_html")
    raise FeedError("feed_unknown_format", root=name)


_ENTRY = re.compile(rb"<(?:[\w-]+:)?(?:item|entry|url|sitemap)[\s>/]")


def _count_entries(content: bytes) -> None:
    """Refuse a document of more posts or addresses than the limit (the sitemap protocol's own 50,000)
    by counting their tags in the bytes, before any parser builds them (feedparser keeps all)."""
    most = limits().feed_entries
    if len(_ENTRY.findall(content)) > most:
        raise FeedError("feed_too_many_entries", limit=most)


def parse_date(text: str | None) -> dt.datetime | None:
    """RFC 822 (RSS), RFC 3339 / W3C (Atom, sitemaps) or dd/mm/yyyy [HH:MM]; naive → Vietnam time."""
    text = (text or "").strip()
    if not text:
        return None
    parsed = _parse_rfc822(text) or _parse_iso(text) or _parse_day_first(text)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM)


def _gunzip(content: bytes) -> bytes:
    """Sitemaps are often served as .xml.gz; inflate with a cap so a gzip bomb cannot fill memory."""
    if not content.startswith(b"\x1f\x8b"):
        return content
    inflater = zlib.decompressobj(wbits=31)
    most = limits().feed_unzipped_bytes
    try:
        data = inflater.decompress(content, most)
    except zlib.error as error:
        raise FeedError("feed_malformed", line=0, column=0, detail=f"gzip: {error}") from error
    if inflater.unconsumed_tail:
        raise FeedError("feed_too_large", limit_mb=most // (1024 * 1024))
    return data


def _looks_like_html(content: bytes, content_type: str) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower()
    head = content[:2048].lstrip(b"\xef\xbb\xbf")
    return mime == "text/html" or bool(_HTML_START.match(head))


def _safe_root(content: bytes) -> Element:
    try:
        root: Element = SafeElementTree.fromstring(content)  # defusedxml has no type information
        return root
    except DefusedXmlException as error:
        raise FeedError("feed_unsafe_xml", detail=type(error).__name__) from error
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise FeedError("feed_malformed", line=line, column=column, detail=str(error)) from error


def _local_name(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _text_of(element: Element, name: str) -> str:
    """The text of the first descendant called `name` in any namespace (sitemap, news, image...)."""
    for child in element.iter():
        if child is not element and _local_name(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _sitemap_posts(root: Element, base_url: str) -> Iterator[FeedPost]:
    for entry in root:
        if _local_name(entry.tag) != "url":
            continue
        location = _text_of(entry, "loc")
        if not location:
            continue
        url = urljoin(base_url, location)
        # A news sitemap says when the article was published; a plain one only when it last changed.
        published = parse_date(_text_of(entry, "publication_date") or _text_of(entry, "lastmod"))
        yield FeedPost(_guid(url), url, _clean(_text_of(entry, "title")), published)


def _sitemap_children(root: Element, base_url: str) -> Iterator[ChildSitemap]:
    for entry in root:
        if _local_name(entry.tag) == "sitemap" and _text_of(entry, "loc"):
            yield ChildSitemap(urljoin(base_url, _text_of(entry, "loc")), parse_date(_text_of(entry, "lastmod")))


def _feed_posts(content: bytes, content_type: str, base_url: str) -> Iterator[FeedPost]:
    # A stream, never bytes or str: feedparser would treat a string as a URL or a file name.
    headers = {"content-location": base_url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(io.BytesIO(content), response_headers=headers)
    for entry in parsed.entries:
        link = urljoin(base_url, entry.get("link") or "") if entry.get("link") else ""
        guid = _guid(entry.get("id") or link)  # "" when nothing identifies the post: the caller reports it
        yield FeedPost(guid, link, _clean(entry.get("title") or ""), _entry_date(entry))


def _entry_date(entry: Any) -> dt.datetime | None:
    # dict.get, not entry.get: feedparser's own get maps `published` to `updated` with a warning.
    for name in ("published", "created", "updated"):
        parsed = parse_date(dict.get(entry, name))
        if parsed is not None:
            return parsed
        struct = dict.get(entry, f"{name}_parsed")
        if struct:  # feedparser understood a form we do not; it reports UTC
            return dt.datetime.fromtimestamp(calendar.timegm(struct), dt.UTC)
    return None


def _parse_rfc822(text: str) -> dt.datetime | None:
    if not re.search(r"[A-Za-z]{3}", text):
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed


def _parse_iso(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    except ValueError:
        return None


def _parse_day_first(text: str) -> dt.datetime | None:
    found = _DAY_FIRST.match(text)
    if not found:
        return None
    day, month, year, hour, minute, second = (int(part or 0) for part in found.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _guid(value: str) -> str:
    value = value.strip()
    if len(value) <= MAX_GUID:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))
