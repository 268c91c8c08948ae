"""Component-site feeds (RSS/Atom/sitemaps): posts per site per reporting month, through an injected HTTP
client (tests need no network). The steps live in etl/site_counts.py; a site that fails is named and
skipped (its outcome), the others still load, all in one transaction and one batch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine

from commstats.catalog import SiteList
from etl.fetch import FetchPolicy
from etl.load import LoadResult
from etl.problems import Problem
from etl.site_counts import FeedPlan, Fetched, fetch_step, load_step, plan_step
from etl.sources.base import Batch, ImportReport, Source, run_import
from etl.validate import Reference


@dataclass(frozen=True)
class FeedRequest:
    site_list: SiteList
    client: httpx.Client
    unit_code: str | None = None
    since: dt.date | None = None
    policy: FetchPolicy = field(default_factory=FetchPolicy)
    refresh: bool = False
    source_name: str = "sites.yaml"


class Feeds(Source):
    kind = "feed"

    def extract(self, given: FeedRequest, batch: Batch) -> Iterable[Fetched]:
        options = {
            "policy": given.policy,
            "since": given.since,
            "refresh": given.refresh,
            "source_name": given.source_name,
            "unit_code": given.unit_code,
        }
        batch.state["since"] = given.since
        assert batch.engine is not None
        return [fetch_step(batch.engine, given.site_list, given.client, options)]

    def validate(self, rows: Iterable[Any], reference: Reference, batch: Batch) -> tuple[list[Any], list[Problem]]:
        """Each site's posts checked (undated, future, too old: named in its outcome, not loaded)."""
        assert batch.engine is not None
        return [plan_step(batch.engine, found, batch.state["since"]) for found in rows], []

    def load(
        self, engine: Engine, clean: list[Any], reference: Reference, batch: Batch, report: ImportReport
    ) -> LoadResult:
        plan: FeedPlan = clean[0]
        fresh = Reference.read(engine)  # the fetch step added the list's new sites as members
        fetched = load_step(engine, plan, fresh, batch.name)
        report.detail = fetched
        report.records_new = sum(len(posts) for posts in plan.new_posts.values())
        return fetched.load or LoadResult(fetched.batch_id, 0, 0, 0)


SOURCE = Feeds()


def fetch(engine: Engine, request: FeedRequest) -> ImportReport:
    """Fetch, check and load the feeds of a site list; `report.detail` is the FetchReport (each site's outcome)."""
    batch = Batch(request.source_name, name=request.source_name)
    return run_import(engine, SOURCE, request, batch)
