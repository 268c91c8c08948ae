"""`python -m commstats fetch-sites`: count the posts of component sites from their RSS/Atom/sitemaps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commstats.catalog import SITES_PATH
from commstats.i18n import t, t_both


def register(app: typer.Typer) -> None:
    app.command("fetch-sites")(fetch_sites_command)


def fetch_sites_command(
    since: Annotated[
        str | None, typer.Option("--since", help="Bỏ qua tin trước tháng này / ignore posts before (2019-01).")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Mã đơn vị (mặc định: unit của tệp) / unit code.")] = None,
    sites: Annotated[Path, typer.Option("--sites", help="Danh sách trang (YAML) / the site list.")] = SITES_PATH,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (overrides COMMSTATS_DATABASE_URL).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="vi | en")] = "vi",
    timeout: Annotated[float, typer.Option("--timeout", help="Giây chờ mỗi yêu cầu / seconds per request.")] = 20.0,
    attempts: Annotated[int, typer.Option("--attempts", help="Số lần thử khi lỗi kết nối/5xx / tries.")] = 3,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Số trang đọc cùng lúc / sites at once.")] = 4,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Bỏ qua ETag/Last-Modified, đọc lại toàn bộ / ignore stored validators.")
    ] = False,
) -> None:
    """Đọc RSS/Atom/sitemap của các trang tin thành phần và đếm tin theo tháng / count component-site posts."""
    from commstats.bootstrap import init_database
    from commstats.db import make_engine
    from commstats.periods import parse_month
    from etl.extract.feeds import FeedError
    from etl.fetch import FetchPolicy, make_client
    from etl.site_counts import FetchReport, read_site_list
    from etl.sources.feeds import FeedRequest, fetch

    since_month = None
    if since is not None:
        try:
            since_month = parse_month(since)
        except ValueError:
            typer.echo(t_both("cli.bad_since_month", value=since), err=True)
            raise typer.Exit(2) from None
    policy = FetchPolicy(timeout=timeout, attempts=max(1, attempts), concurrency=max(1, concurrency))
    engine = make_engine(db)
    try:
        site_list = read_site_list(sites)
        init_database(engine)
        with make_client(policy) as client:
            request = FeedRequest(site_list, client, unit, since_month, policy, refresh, str(sites))
            imported = fetch(engine, request)  # the one checked import sequence (etl/sources/feeds.py)
    except FeedError as error:
        typer.echo(t(error.key, lang, **error.params), err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    if not imported.ok:  # a count of a locked (approved) month would change: nothing was written
        typer.echo("\n".join(p.message(lang) for p in imported.problems), err=True)
        raise typer.Exit(1)
    report: FetchReport = imported.detail
    for line in report.messages(lang):
        typer.echo(line, err=True)
    typer.echo(report.table(lang))
    typer.echo(report.summary(lang))
    raise typer.Exit(1 if report.failed else 0)
