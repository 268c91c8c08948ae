"""Component-site feeds → stored posts → posts per site per reporting month (`sites_posts`).

The steps, which the feeds source (etl/sources/feeds.py) runs through the one checked import sequence:
check the unit and sites → fetch every feed (`fetch_step`) → keep the dated posts → find the new ones
(`plan_step`) → then, in one transaction (`load_step`), count the site-months the feeds cover from all
stored posts plus the new ones, load the counts with the shared `load_rows` (one batch, idempotent,
revisions), store the new posts and the feeds' ETag / Last-Modified. A feed lists only recent
posts, so months it does not cover are never touched (never zeroed). Times are stored as naive
UTC; the reporting day is the day in Vietnam.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import yaml
from pydantic import ValidationError
from sqlalchemy import Connection, Engine, insert, select, update

from commstats.audit import os_actor
from commstats.catalog import SiteList, SiteSpec
from commstats.cycle.messages import CycleError
from commstats.db import session_scope, writer
from commstats.i18n import t
from commstats.models import FeedState, ImportBatch, Member, Metric, Observation, SitePost, Unit, _now
from commstats.periods import figure_window, month_key, month_of_event, reporting_window
from etl.extract.feeds import VIETNAM, FeedError, FeedPost
from etl.fetch import FetchPolicy, SiteFetch, Validators, fetch_sites
from etl.load import LoadResult, load_rows
from etl.validate import CleanRow, Reference

METRIC = "sites_posts"
DIMENSION = "site"
SOURCE_KIND = "feed"
FUTURE_GRACE = dt.timedelta(days=1)
CHUNK = 500
NOTE = "RSS/sitemap"  # the note on observations counted from feeds
Status = Literal["updated", "unchanged", "failed", "no_feed"]


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    cutoff_day: int
    first_year: int | None = None


@dataclass
class SiteOutcome:
    site: SiteSpec
    status: Status = "unchanged"
    new_posts: int = 0
    months: list[dt.date] = field(default_factory=list)  # site-months whose count was added or changed
    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (i18n key, params)

    def label(self, lang: str = "vi") -> str:
        name = self.site.name_en if lang == "en" and self.site.name_en else self.site.name_vi
        return f"{name} ({self.site.code})"

    def render(self, lang: str = "vi") -> list[str]:
        return [t(key, lang, site=self.label(lang), **params) for key, params in self.messages]


@dataclass
class FetchReport:
    outcomes: list[SiteOutcome]
    load: LoadResult | None = None
    batch_id: int | None = None

    @property
    def failed(self) -> list[SiteOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def messages(self, lang: str = "vi") -> list[str]:
        return [line for outcome in self.outcomes for line in outcome.render(lang)]

    def table(self, lang: str = "vi") -> str:
        header = [t(k, lang) for k in ("feed_col_site", "feed_col_status", "feed_col_new", "feed_col_months")]
        rows = [
            [o.site.code, t(f"feed_status_{o.status}", lang), str(o.new_posts), _months_text(o.months)]
            for o in self.outcomes
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in [header, *rows]]
        lines.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(line.rstrip() for line in lines)

    def summary(self, lang: str = "vi") -> str:
        counted = [o for o in self.outcomes if o.status != "no_feed"]
        params = {
            "read": len(counted) - len(self.failed),
            "total": len(counted),
            "failed": len(self.failed),
            "new": sum(o.new_posts for o in self.outcomes),
            "months": sum(len(o.months) for o in self.outcomes),
        }
        if self.batch_id is None:
            return t("feed_summary_no_batch", lang, **params)
        return t("feed_summary", lang, batch=self.batch_id, **params)


def read_site_list(path: Path) -> SiteList:
    """The YAML site list (data/sites.yaml or another); a clear FeedError when it is wrong."""
    if not path.is_file():
        raise FeedError("sites_file_missing", file=str(path))
    try:
        site_list = SiteList.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as error:
        raise FeedError("sites_file_invalid", file=str(path), detail=str(error).splitlines()[0]) from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise FeedError("sites_file_invalid", file=str(path), detail=f"{where}: {first['msg']}") from error
    seen: set[str] = set()
    for site in site_list.sites:
        if site.code in seen:
            raise FeedError("sites_duplicate", file=str(path), code=site.code)
        seen.add(site.code)
    return site_list


def run(
    engine: Engine,
    site_list: SiteList,
    *,
    client: httpx.Client,
    unit_code: str | None = None,
    since: dt.date | None = None,
    policy: FetchPolicy | None = None,
    refresh: bool = False,
    source_name: str = "sites.yaml",
) -> FetchReport:
    """Fetch every site of `site_list`, store new posts and load the monthly counts they change, through the
    one checked import sequence (etl/sources/feeds.py). A locked (approved) month raises CycleError."""
    from etl.sources.feeds import FeedRequest, fetch

    request = FeedRequest(site_list, client, unit_code, since, policy or FetchPolicy(), refresh, source_name)
    report = fetch(engine, request)
    if not report.ok:
        problem = report.problems[0]
        raise CycleError(problem.key, **problem.params)
    return report.detail  # type: ignore[no-any-return]


@dataclass
class Fetched:
    """What the fetch step found: the unit, its site members, each site's outcome so far, the responses."""

    unit: UnitInfo
    members: dict[str, int]
    outcomes: dict[str, SiteOutcome]
    fetched: list[SiteFetch]


@dataclass
class FeedPlan:
    """The posts to store and the site-months to recount, per site."""

    fetched: Fetched
    new_posts: dict[str, list[FeedPost]]
    covered: dict[str, set[dt.date]]
    digest: str


def fetch_step(engine: Engine, site_list: SiteList, client: httpx.Client, options: dict[str, Any]) -> Fetched:
    """Check the unit and sites, then fetch every feed (ETag / Last-Modified per unit and URL)."""
    policy, since, refresh = options["policy"], options["since"], options["refresh"]
    source_name = options["source_name"]
    unit = _unit(engine, options["unit_code"] or site_list.unit, source_name)
    members = _ensure_site_members(engine, site_list.sites)
    outcomes = {s.code: SiteOutcome(s) for s in site_list.sites}
    with_feed = [s for s in site_list.sites if s.feed_url]
    for site in site_list.sites:
        if not site.feed_url:
            outcomes[site.code].status = "no_feed"
            outcomes[site.code].messages.append(("feed_no_url", {"file": source_name}))
    known = {} if refresh else _read_validators(engine, unit.id)
    since_time = _local_start(reporting_window(since, unit.cutoff_day)[0]) if since else None
    # ETag / Last-Modified are kept per unit and URL; a site with no stored post for this unit is read
    # in full all the same (a restored database may hold validators newer than its posts).
    fetched = fetch_sites(client, with_feed, known, policy, since_time, _without_posts(engine, unit.id, members))
    return Fetched(unit, members, outcomes, fetched)


def plan_step(engine: Engine, found: Fetched, since: dt.date | None) -> FeedPlan:
    """The dated posts of each answering site, which of them are new, and the months they cover."""
    new_posts: dict[str, list[FeedPost]] = {}
    covered: dict[str, set[dt.date]] = {}
    for result in found.fetched:
        outcome = found.outcomes[result.site.code]
        if result.error is not None:
            _fail(outcome, result.error)
            continue
        posts = _usable_posts(result, outcome, found.unit, since)
        if posts is None:
            continue
        new_posts[result.site.code] = _unseen(engine, found.unit.id, found.members[result.site.code], posts)
        covered[result.site.code] = {_month(p, found.unit) for p in posts}
    digest = hashlib.sha256("".join(r.digest for r in found.fetched if r.site.code in covered).encode()).hexdigest()
    return FeedPlan(found, new_posts, covered, digest)


def load_step(engine: Engine, plan: FeedPlan, reference: Reference, source_name: str) -> FetchReport:
    """In one transaction: the counts through load_rows, the new posts and the feeds' validators."""
    found, new_posts = plan.fetched, plan.new_posts
    unit, members, outcomes = found.unit, found.members, found.outcomes
    with writer(engine).begin() as conn:  # counts, posts and feed validators: all or nothing
        rows, changed = _counts(conn, unit, members, plan.covered, new_posts)
        load = None
        if rows:
            load = load_rows(
                engine,
                rows,
                source_kind=SOURCE_KIND,
                source_name=source_name,
                sha256=plan.digest,
                reference=reference,
                connection=conn,
                created_by=os_actor(),
            )
        batch_id = load.batch_id if load else None
        if batch_id is None and any(new_posts.values()):
            batch_id = _posts_only_batch(conn, source_name, plan.digest, len(rows))
        answered = [r for r in found.fetched if outcomes[r.site.code].status != "failed"]
        _store(conn, unit.id, members, batch_id, new_posts, answered)

    for code, posts in new_posts.items():
        outcome = outcomes[code]
        outcome.new_posts = len(posts)
        outcome.months = sorted(changed.get(code, set()))
        outcome.status = "updated" if posts or outcome.months else "unchanged"
    return FetchReport(list(outcomes.values()), load, batch_id)


# --- steps -------------------------------------------------------------------------------------


def _unit(engine: Engine, code: str, source_name: str) -> UnitInfo:
    with session_scope(engine) as session:
        units = {u.code: UnitInfo(u.id, u.code, u.cutoff_day or 0, u.first_year) for u in session.scalars(select(Unit))}
    if code not in units:
        raise FeedError("feed_unknown_unit", unit=code, allowed=", ".join(sorted(units)) or "-", file=source_name)
    return units[code]


def _ensure_site_members(engine: Engine, sites: Sequence[SiteSpec]) -> dict[str, int]:
    """Site code -> member id; sites not yet in the database (another site list) are added."""
    with session_scope(engine) as session:
        existing = {m.code: m for m in session.scalars(select(Member).where(Member.dimension == DIMENSION))}
        for order, site in enumerate(sites):
            if site.code not in existing:
                member = Member(
                    dimension=DIMENSION, code=site.code, name_vi=site.name_vi, name_en=site.name_en, sort_order=order
                )
                session.add(member)
                existing[site.code] = member
        session.flush()
        return {site.code: existing[site.code].id for site in sites}


def _read_validators(engine: Engine, unit_id: int) -> dict[str, Validators]:
    """URL -> ETag / Last-Modified of every feed and child sitemap this unit fetched before."""
    with session_scope(engine) as session:
        states = session.scalars(select(FeedState).where(FeedState.unit_id == unit_id))
        return {s.url: Validators(s.etag, s.last_modified) for s in states}


def _without_posts(engine: Engine, unit_id: int, members: dict[str, int]) -> set[str]:
    with session_scope(engine) as session:
        query = select(SitePost.site_member_id).where(SitePost.unit_id == unit_id).distinct()
        with_posts = set(session.scalars(query))
    return {code for code, member_id in members.items() if member_id not in with_posts}


def _fail(outcome: SiteOutcome, error: FeedError) -> None:
    outcome.status = "failed"
    outcome.messages.append((error.key, dict(error.params)))


def _usable_posts(
    result: SiteFetch, outcome: SiteOutcome, unit: UnitInfo, since: dt.date | None
) -> list[FeedPost] | None:
    """Posts with an identity and a date, not in the future, in or after `since`; problems are reported."""
    if result.not_modified:
        return []
    url = result.site.feed_url
    if result.sitemaps_skipped:
        outcome.messages.append(("feed_sitemaps_capped", {"url": url, "count": result.sitemaps_skipped}))
    no_link = [p for p in result.posts if not p.guid]
    undated = [p for p in result.posts if p.guid and p.published is None]
    dated = [p for p in result.posts if p.guid and p.published is not None]
    if no_link:
        outcome.messages.append(("feed_no_link", {"url": url, "count": len(no_link)}))
    if undated and not dated:
        _fail(outcome, FeedError("feed_no_dates", url=url, count=len(undated)))
        return None
    if undated:
        outcome.messages.append(("feed_undated", {"url": url, "count": len(undated), "example": _example(undated[0])}))
    limit = dt.datetime.now(dt.UTC) + FUTURE_GRACE
    future = [p for p in dated if p.published and p.published > limit]
    if future:
        outcome.messages.append(("feed_future", {"url": url, "count": len(future), "example": _example(future[0])}))
    first = figure_window(unit.first_year).first  # an epoch-0 or mistyped date would open a month in 1970
    old = [p for p in dated if p.published and p.published <= limit and _month(p, unit) < first]
    if old:
        outcome.messages.append(
            ("feed_too_old", {"url": url, "count": len(old), "example": _example(old[0]), "first": f"{first:%m/%Y}"})
        )
    posts: dict[str, FeedPost] = {}
    for post in dated:
        if (
            post.published
            and post.published <= limit
            and _month(post, unit) >= first
            and not (since and _month(post, unit) < since)
        ):
            posts.setdefault(post.guid, post)  # a feed listing a post twice still counts it once
    return list(posts.values())


def _unseen(engine: Engine, unit_id: int, member_id: int, posts: list[FeedPost]) -> list[FeedPost]:
    guids = [p.guid for p in posts]
    stored: set[str] = set()
    with session_scope(engine) as session:
        for start in range(0, len(guids), CHUNK):
            query = select(SitePost.guid).where(
                SitePost.unit_id == unit_id,
                SitePost.site_member_id == member_id,
                SitePost.guid.in_(guids[start : start + CHUNK]),
            )
            stored.update(session.scalars(query))
    return [p for p in posts if p.guid not in stored]


def _counts(
    conn: Connection,
    unit: UnitInfo,
    members: dict[str, int],
    covered: dict[str, set[dt.date]],
    new_posts: dict[str, list[FeedPost]],
) -> tuple[list[CleanRow], dict[str, set[dt.date]]]:
    """The count of every covered site-month from all stored posts plus the new ones, and which differ."""
    rows: list[CleanRow] = []
    changed: dict[str, set[dt.date]] = {}
    metric_id = conn.execute(select(Metric.id).where(Metric.code == METRIC)).scalar_one()
    for code, months in covered.items():
        if not months:
            continue
        first, _ = reporting_window(min(months), unit.cutoff_day)
        _, last = reporting_window(max(months), unit.cutoff_day)
        query = select(SitePost.published_at).where(
            SitePost.unit_id == unit.id,
            SitePost.site_member_id == members[code],
            SitePost.published_at >= _utc_naive(_local_start(first)),
            SitePost.published_at < _utc_naive(_local_start(last + dt.timedelta(days=1))),
        )
        stored = (p.replace(tzinfo=dt.UTC) for p in conn.execute(query).scalars())
        tally = Counter(month_of_event(p.astimezone(VIETNAM).date(), unit.cutoff_day) for p in stored)
        tally.update(_month(p, unit) for p in new_posts.get(code, []))
        current = dict(
            conn.execute(
                select(Observation.period, Observation.value).where(
                    Observation.unit_id == unit.id,
                    Observation.metric_id == metric_id,
                    Observation.member_id == members[code],
                    Observation.period.between(min(months), max(months)),
                )
            ).all()
        )
        for month in sorted(months):
            rows.append(CleanRow(0, unit.code, METRIC, month, code, tally[month], NOTE))
            if current.get(month) != tally[month]:
                changed.setdefault(code, set()).add(month)
    return rows, changed


def _posts_only_batch(conn: Connection, source_name: str, digest: str, rows: int) -> int:
    """New posts whose counts changed nothing (a figure typed in earlier matched) still need a batch."""
    return conn.execute(
        insert(ImportBatch).returning(ImportBatch.id),
        {
            "source_kind": SOURCE_KIND,
            "source_name": source_name,
            "sha256": digest,
            "started_at": _now(),
            "finished_at": _now(),
            "rows_read": rows,
            "rows_unchanged": rows,
            "status": "unchanged",
            "created_by": os_actor(),
            "message": "posts only",
        },
    ).scalar_one()


def _store(
    conn: Connection,
    unit_id: int,
    members: dict[str, int],
    batch_id: int | None,
    new_posts: dict[str, list[FeedPost]],
    answered: list[SiteFetch],
) -> None:
    """New posts and the feeds' validators, in the transaction that loaded the counts."""
    now = _now()
    posts = [
        {
            "unit_id": unit_id,
            "site_member_id": members[code],
            "guid": p.guid,
            "title": p.title[:2000],
            "published_at": _utc_naive(p.published),
            "batch_id": batch_id,
        }
        for code, site_posts in new_posts.items()
        for p in site_posts
        if p.published is not None
    ]
    for start in range(0, len(posts), CHUNK):
        conn.execute(insert(SitePost), posts[start : start + CHUNK])
    urls = sorted({url for result in answered for url in result.checked})
    saved: dict[str, int] = {}
    for start in range(0, len(urls), CHUNK):
        query = select(FeedState.id, FeedState.url).where(
            FeedState.unit_id == unit_id, FeedState.url.in_(urls[start : start + CHUNK])
        )
        saved.update((row.url, row.id) for row in conn.execute(query))
    fresh = {url: v for result in answered for url, v in result.validators.items()}
    for url in urls:
        values: dict[str, Any] = {"checked_at": now}
        if url in fresh:
            values.update(etag=fresh[url].etag[:512], last_modified=fresh[url].last_modified[:128])
        if url in saved:
            conn.execute(update(FeedState).where(FeedState.id == saved[url]).values(**values))
        else:
            conn.execute(
                insert(FeedState).values(unit_id=unit_id, url=url, **{"etag": "", "last_modified": "", **values})
            )


# --- small helpers -----------------------------------------------------------------------------


def _month(post: FeedPost, unit: UnitInfo) -> dt.date:
    assert post.published is not None
    return month_of_event(post.published.astimezone(VIETNAM).date(), unit.cutoff_day)


def _local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), VIETNAM)


def _utc_naive(moment: dt.datetime | None) -> dt.datetime:
    assert moment is not None
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _example(post: FeedPost) -> str:
    return (post.title or post.url or post.guid)[:80]


def _months_text(months: list[dt.date]) -> str:
    if len(months) <= 3:
        return ", ".join(month_key(m) for m in months) or "-"
    return f"{month_key(months[0])}…{month_key(months[-1])} ({len(months)})"
