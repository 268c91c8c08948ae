"""fetch-sites end to end: a real HTTP server on 127.0.0.1, real SQLite files, the real CLI."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from commstats.bootstrap import add_unit
from commstats.models import FeedState, ImportBatch, Member, Metric, Observation, Revision, SitePost, Unit
from etl.extract.feeds import FeedError
from etl.fetch import USER_AGENT, FetchPolicy, make_client
from etl.load import load_rows
from etl.site_counts import FetchReport, read_site_list, run
from etl.validate import CleanRow
from tests.feedserver import RSS, FeedServer, Reply

POLICY = FetchPolicy(timeout=1.0, attempts=3, backoff=0.01, max_backoff=0.05, concurrency=4)
XML = "application/xml"
ATOM = "application/atom+xml"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feed_server:
        yield feed_server


def write_sites(path: Path, sites: list[tuple[str, str, str]], unit: str = "test-unit") -> Path:
    """A data/sites.yaml-style list: (code, Vietnamese name, feed URL)."""
    entries = [
        {
            "code": code,
            "name_vi": name,
            "name_en": f"Site {code}",
            "url": feed.rsplit("/", 1)[0] + "/",
            "feed_url": feed,
            "independent": False,
        }
        for code, name, feed in sites
    ]
    path.write_text(yaml.safe_dump({"unit": unit, "sites": entries}, allow_unicode=True), encoding="utf-8")
    return path


def fetch(engine: Engine, sites: Path, policy: FetchPolicy = POLICY, **options: object) -> FetchReport:
    with make_client(policy) as client:
        return run(
            engine,
            read_site_list(sites),
            client=client,
            policy=policy,
            source_name=sites.name,
            **options,  # type: ignore[arg-type]
        )


def counts(engine: Engine, unit: str = "test-unit") -> dict[tuple[str, str], int]:
    """(site code, YYYY-MM) -> the sites_posts value in the observation table."""
    query = (
        select(Member.code, Observation.period, Observation.value)
        .join(Member, Member.id == Observation.member_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Unit, Unit.id == Observation.unit_id)
        .where(Metric.code == "sites_posts", Unit.code == unit)
    )
    with engine.connect() as conn:
        return {(code, f"{period:%Y-%m}"): value for code, period, value in conn.execute(query)}


def scalar(engine: Engine, query: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())  # type: ignore[call-overload]


def stored_posts(engine: Engine, site: str) -> set[str]:
    query = select(SitePost.guid).join(Member, Member.id == SitePost.site_member_id).where(Member.code == site)
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def outcome(report: FetchReport, code: str):  # type: ignore[no-untyped-def]
    return next(o for o in report.outcomes if o.site.code == code)


def serve_fixture(server: FeedServer, path: str, name: str, content_type: str = RSS, **reply: object) -> str:
    return server.serve(path, Reply(body=server.fixture(name), content_type=content_type, **reply))  # type: ignore[arg-type]


def serve_sitemap_index(server: FeedServer) -> str:
    for month in ("2019-07", "2019-08", "2018-01"):
        server.serve(f"/sitemaps/{month}.xml", Reply(body=server.fixture(f"sitemap_{month}.xml"), content_type=XML))
    return server.serve("/sitemap_index.xml", Reply(body=server.fixture("sitemap_index.xml"), content_type=XML))


def test_every_feed_kind_is_counted_per_site_and_reporting_month(
    empty_engine: Engine, server: FeedServer, tmp_path: Path
) -> None:
    sites = write_sites(
        tmp_path / "sites.yaml",
        [
            ("tieu-can", "UBND huyện Tiểu Cần", serve_fixture(server, "/rss", "rss2.xml")),
            ("so-gd", "Sở Giáo dục", serve_fixture(server, "/atom.xml", "atom.xml", ATOM)),
            ("so-vh", "Sở Văn hóa", serve_fixture(server, "/sitemap.xml", "sitemap.xml", XML)),
            ("chau-thanh", "UBND huyện Châu Thành", serve_sitemap_index(server)),
        ],
    )

    report = fetch(empty_engine, sites)

    assert report.failed == []
    # exactly the posts served, per Vietnam-time calendar month (see the fixtures' comments)
    assert counts(empty_engine) == {
        ("tieu-can", "2018-12"): 1,
        ("tieu-can", "2019-07"): 2,
        ("tieu-can", "2019-08"): 3,
        ("so-gd", "2019-07"): 1,
        ("so-gd", "2019-08"): 3,
        ("so-vh", "2019-07"): 3,
        ("chau-thanh", "2018-01"): 1,
        ("chau-thanh", "2019-07"): 2,
        ("chau-thanh", "2019-08"): 3,
    }
    assert scalar(empty_engine, select(func.count()).select_from(SitePost)) == 6 + 4 + 3 + 6
    assert [(o.site.code, o.status, o.new_posts, len(o.months)) for o in report.outcomes] == [
        ("tieu-can", "updated", 6, 3),
        ("so-gd", "updated", 4, 2),
        ("so-vh", "updated", 3, 1),
        ("chau-thanh", "updated", 6, 3),
    ]
    with empty_engine.connect() as conn:
        batches = conn.execute(select(ImportBatch.source_kind, ImportBatch.rows_inserted)).all()
    assert batches == [("feed", 9)]  # one batch for the whole run
    # the sitemap URL without any date is reported, named by site, not guessed
    assert report.messages("vi") == [
        "Trang Sở Văn hóa (so-vh): bỏ qua 1 tin không có ngày đăng hợp lệ (ví dụ: “" + server.url("/gioi-thieu") + "”)."
    ]
    assert report.messages("en")[0].startswith("Site Site so-vh (so-vh): skipped 1 posts without a valid date")
    assert {r.headers["user-agent"] for r in server.requests} == {USER_AGENT}
    assert USER_AGENT.startswith("commstats/")

    again = fetch(empty_engine, sites)  # same content, no validators from this server: idempotent
    assert [o.status for o in again.outcomes] == ["unchanged"] * 4 and again.batch_id is None
    assert scalar(empty_engine, select(func.count()).select_from(ImportBatch)) == 1
    assert scalar(empty_engine, select(func.count()).select_from(SitePost)) == 19


def test_since_ignores_older_posts_and_skips_older_child_sitemaps(
    empty_engine: Engine, server: FeedServer, tmp_path: Path
) -> None:
    rss, index = serve_fixture(server, "/rss", "rss2.xml"), serve_sitemap_index(server)
    sites = write_sites(tmp_path / "s.yaml", [("tieu-can", "Tiểu Cần", rss), ("chau-thanh", "Châu Thành", index)])

    report = fetch(empty_engine, sites, since=dt.date(2019, 1, 1))

    assert report.failed == []
    assert counts(empty_engine) == {
        ("tieu-can", "2019-07"): 2,
        ("tieu-can", "2019-08"): 3,
        ("chau-thanh", "2019-07"): 2,
        ("chau-thanh", "2019-08"): 3,
    }
    assert "tieu-can-0999" not in stored_posts(empty_engine, "tieu-can")
    assert server.seen("/sitemaps/2018-01.xml") == []  # its lastmod says it holds nothing newer
    assert len(server.seen("/sitemaps/2019-07.xml")) == 1


def test_cutoff_day_15_counts_the_15th_to_the_14th(empty_engine: Engine, server: FeedServer, tmp_path: Path) -> None:
    add_unit(empty_engine, "nd09", "Sở theo Nghị định 09", "Decree 09 department", cutoff_day=15)
    rss = serve_fixture(server, "/rss", "rss2.xml")
    sites = write_sites(tmp_path / "s.yaml", [("tieu-can", "Tiểu Cần", rss)], unit="nd09")

    fetch(empty_engine, sites)

    assert counts(empty_engine, "nd09") == {
        ("tieu-can", "2018-12"): 1,
        ("tieu-can", "2019-07"): 1,
        ("tieu-can", "2019-08"): 2,
        ("tieu-can", "2019-09"): 2,
    }


def test_broken_sites_are_reported_and_skipped_while_the_others_load(
    empty_engine: Engine, server: FeedServer, tmp_path: Path
) -> None:
    ok = Reply(body=server.fixture("rss2.xml"))
    broken = {
        "flaky": server.serve("/flaky", Reply(500), Reply(502), Reply(body=server.fixture("atom.xml"))),
        "hong": server.serve("/always-500", Reply(503, b"Service Unavailable", "text/plain")),
        "cham": server.serve("/slow", Reply(body=server.fixture("rss2.xml"), delay=5.0)),
        "html": server.serve("/html", Reply(body=server.fixture("page.html"), content_type="text/html; charset=utf-8")),
        "mat": server.url("/khong-co"),
        "loi-xml": server.serve("/malformed", Reply(body=server.fixture("malformed.xml"))),
        "bom": server.serve("/bomb", Reply(body=server.fixture("bomb.xml"))),
        "xxe": server.serve("/xxe", Reply(body=server.fixture("xxe.xml"))),
        "sap": f"http://127.0.0.1:{closed_port()}/rss",
        "khong-ngay": server.serve("/undated", Reply(body=server.fixture("undated.xml"))),
    }
    sites = write_sites(
        tmp_path / "s.yaml",
        [("tot", "UBND huyện Cầu Ngang", server.serve("/rss", ok))]
        + [(code, f"Trang {code}", url) for code, url in broken.items()],
    )

    report = fetch(empty_engine, sites)

    status = {o.site.code: o.status for o in report.outcomes}
    assert status == {"tot": "updated", "flaky": "updated"} | {code: "failed" for code in list(broken)[1:]}
    assert len(server.seen("/flaky")) == 3  # 500, 502, then the feed: the retries worked
    assert len(server.seen("/always-500")) == POLICY.attempts  # bounded
    keys = {o.site.code: o.messages[0][0] for o in report.failed}
    assert keys == {
        "hong": "feed_server_error",
        "cham": "feed_timeout",
        "html": "feed_html",
        "mat": "feed_not_found",
        "loi-xml": "feed_malformed",
        "bom": "feed_unsafe_xml",
        "xxe": "feed_unsafe_xml",
        "sap": "feed_unreachable",
        "khong-ngay": "feed_no_dates",
    }
    vi = "\n".join(report.messages("vi"))
    assert f"Trang Trang cham (cham): quá 1 giây không nhận được phản hồi từ {broken['cham']}" in vi
    assert f"Trang Trang hong (hong): máy chủ bị lỗi (HTTP 503) tại {broken['hong']}, đã thử 3 lần" in vi
    assert f"Trang Trang html (html): {broken['html']} trả về trang web HTML" in vi
    assert f"Trang Trang mat (mat): không tìm thấy nguồn tin (HTTP 404) tại {broken['mat']}" in vi
    assert "Trang Trang loi-xml (loi-xml): XML tại" in vi and "dòng 4, cột" in vi
    assert f"Trang Trang sap (sap): không kết nối được tới {broken['sap']}" in vi
    en = "\n".join(report.messages("en"))
    assert f"Site Site cham (cham): no answer from {broken['cham']} within 1 seconds" in en
    assert "Site Site bom (bom): the XML at" in en and "XML bomb" in en
    # the good sites loaded; nothing at all was stored for the failed ones
    assert counts(empty_engine) == {
        ("tot", "2018-12"): 1,
        ("tot", "2019-07"): 2,
        ("tot", "2019-08"): 3,
        ("flaky", "2019-07"): 1,
        ("flaky", "2019-08"): 3,
    }
    assert {code for code in broken if stored_posts(empty_engine, code)} == {"flaky"}
    with empty_engine.connect() as conn:
        remembered = set(conn.execute(select(FeedState.url)).scalars())
    assert remembered == {server.url("/rss"), broken["flaky"]}  # a failed feed is read in full next time
    assert "LỖI" in report.table("vi") and "FAILED" in report.table("en")


def test_changing_feed_adds_only_new_posts_revises_counts_then_answers_304(
    empty_engine: Engine, server: FeedServer, tmp_path: Path
) -> None:
    # A figure typed in for May: outside what the feed covers, it must never be zeroed.
    load_rows(
        empty_engine,
        [CleanRow(2, "test-unit", "sites_posts", dt.date(2019, 5, 1), "cau-ke", 40)],
        source_kind="file",
        source_name="may.csv",
        sha256="x",
    )
    first_modified, second_modified = "Fri, 02 Aug 2019 02:00:00 GMT", "Mon, 02 Sep 2019 01:00:00 GMT"
    url = server.serve("/news", Reply(body=server.fixture("news_v1.xml"), etag='"v1"', last_modified=first_modified))
    sites = write_sites(tmp_path / "s.yaml", [("cau-ke", "UBND huyện Cầu Kè", url)])

    first = fetch(empty_engine, sites)
    assert outcome(first, "cau-ke").new_posts == 3
    assert counts(empty_engine) == {("cau-ke", "2019-05"): 40, ("cau-ke", "2019-07"): 2, ("cau-ke", "2019-08"): 1}

    server.serve("/news", Reply(body=server.fixture("news_v2.xml"), etag='"v2"', last_modified=second_modified))
    second = fetch(empty_engine, sites)

    assert server.seen("/news")[-1].headers.get("if-none-match") == '"v1"'
    assert server.seen("/news")[-1].headers.get("if-modified-since") == first_modified
    site = outcome(second, "cau-ke")
    assert (site.status, site.new_posts, site.months) == ("updated", 2, [dt.date(2019, 8, 1), dt.date(2019, 9, 1)])
    # July keeps the post that dropped out of the feed; August is revised; September is new; May untouched.
    assert counts(empty_engine) == {
        ("cau-ke", "2019-05"): 40,
        ("cau-ke", "2019-07"): 2,
        ("cau-ke", "2019-08"): 2,
        ("cau-ke", "2019-09"): 1,
    }
    with empty_engine.connect() as conn:
        revisions = conn.execute(select(Revision.old_value, Revision.new_value, Revision.batch_id)).all()
    assert revisions == [(1, 2, second.batch_id)]
    assert stored_posts(empty_engine, "cau-ke") == {server.url(f"/a/{i}") for i in range(1, 6)}
    batches = scalar(empty_engine, select(func.count()).select_from(ImportBatch))

    third = fetch(empty_engine, sites)

    last = server.seen("/news")[-1].headers
    assert (last.get("if-none-match"), last.get("if-modified-since")) == ('"v2"', second_modified)
    assert [o.status for o in third.outcomes] == ["unchanged"] and third.batch_id is None
    assert scalar(empty_engine, select(func.count()).select_from(ImportBatch)) == batches
    assert scalar(empty_engine, select(func.count()).select_from(SitePost)) == 5

    fourth = fetch(empty_engine, sites, refresh=True)  # --refresh: read in full, still idempotent
    assert "if-none-match" not in server.seen("/news")[-1].headers
    assert fourth.batch_id is None and counts(empty_engine)[("cau-ke", "2019-08")] == 2


def test_another_unit_reading_the_same_feed_is_not_hidden_by_a_304(
    empty_engine: Engine, server: FeedServer, tmp_path: Path
) -> None:
    add_unit(empty_engine, "so-moi", "Sở sau sáp nhập", "Merged department")
    rss = serve_fixture(server, "/rss", "rss2.xml", etag='"e"')
    sites = write_sites(tmp_path / "s.yaml", [("tieu-can", "Tiểu Cần", rss)])

    fetch(empty_engine, sites)
    fetch(empty_engine, sites, unit_code="so-moi")

    assert "if-none-match" not in server.seen("/rss")[-1].headers  # nothing stored for so-moi yet: read in full
    assert (
        counts(empty_engine, "so-moi")
        == counts(empty_engine, "test-unit")
        == {
            ("tieu-can", "2018-12"): 1,
            ("tieu-can", "2019-07"): 2,
            ("tieu-can", "2019-08"): 3,
        }
    )
    fetch(empty_engine, sites, unit_code="so-moi")
    assert server.seen("/rss")[-1].headers.get("if-none-match") == '"e"'

    # The feed changes; one unit reads it first. The other still holds the old ETag, so it asks with
    # that one and is given the new posts (validators are kept per unit and URL, not per URL).
    server.serve("/news", Reply(body=server.fixture("news_v1.xml"), etag='"v1"'))
    news = write_sites(tmp_path / "n.yaml", [("cau-ke", "Cầu Kè", server.url("/news"))])
    fetch(empty_engine, news)
    fetch(empty_engine, news, unit_code="so-moi")
    server.serve("/news", Reply(body=server.fixture("news_v2.xml"), etag='"v2"'))
    assert outcome(fetch(empty_engine, news), "cau-ke").new_posts == 2
    later = fetch(empty_engine, news, unit_code="so-moi")
    assert server.seen("/news")[-1].headers.get("if-none-match") == '"v1"'
    assert outcome(later, "cau-ke").new_posts == 2
    assert counts(empty_engine, "so-moi") == counts(empty_engine, "test-unit")
    with empty_engine.connect() as conn:
        states = conn.execute(select(FeedState.unit_id, FeedState.url, FeedState.etag).order_by(FeedState.id)).all()
    assert sorted(state.etag for state in states if state.url == server.url("/news")) == ['"v2"', '"v2"']


def test_at_most_concurrency_sites_are_read_at_once(empty_engine: Engine, server: FeedServer, tmp_path: Path) -> None:
    feeds = [(f"site-{i}", f"Trang {i}", serve_fixture(server, f"/rss/{i}", "rss2.xml", delay=0.15)) for i in range(8)]
    sites = write_sites(tmp_path / "s.yaml", feeds)

    report = fetch(empty_engine, sites, policy=FetchPolicy(timeout=2, concurrency=2))

    assert report.failed == [] and server.max_in_flight == 2
    assert sum(o.new_posts for o in report.outcomes) == 8 * 6


def test_duplicate_and_future_posts(empty_engine: Engine, server: FeedServer, tmp_path: Path) -> None:
    item = "<item><title>{t}</title><link>{base}/{g}</link><pubDate>{d}</pubDate></item>"
    july, future = "Tue, 02 Jul 2019 09:00:00 +0700", "Fri, 01 Jan 2100 09:00:00 +0700"
    items = [("Tin A", "a", july), ("Tin A lặp lại", "a", july), ("Tin tương lai", "b", future)]
    body = (
        '<rss version="2.0"><channel><title>x</title>'
        + "".join(item.format(t=t, base=server.base, g=g, d=d) for t, g, d in items)
        + "</channel></rss>"
    ).encode()
    sites = write_sites(tmp_path / "s.yaml", [("tra-cu", "UBND huyện Trà Cú", server.serve("/rss", Reply(body=body)))])

    report = fetch(empty_engine, sites)

    assert counts(empty_engine) == {("tra-cu", "2019-07"): 1}
    assert report.messages("vi") == [
        "Trang UBND huyện Trà Cú (tra-cu): bỏ qua 1 tin có ngày đăng ở tương lai "
        "(ví dụ: “Tin tương lai”). Kiểm tra đồng hồ/múi giờ của trang."
    ]


def test_site_list_and_unit_problems_are_named(empty_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(FeedError) as raised:
        read_site_list(tmp_path / "none.yaml")
    assert raised.value.key == "sites_file_missing"
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit: test-unit\nsites:\n- code: x\n  name_vi: X\n", encoding="utf-8")
    with pytest.raises(FeedError) as raised:
        read_site_list(bad)
    assert raised.value.key == "sites_file_invalid" and "sites.0.name_en" in raised.value.params["detail"]
    twice = write_sites(
        tmp_path / "twice.yaml", [("x", "X", "http://127.0.0.1:9/a"), ("x", "Y", "http://127.0.0.1:9/b")]
    )
    with pytest.raises(FeedError) as raised:
        read_site_list(twice)
    assert (raised.value.key, raised.value.params["code"]) == ("sites_duplicate", "x")
    other = write_sites(tmp_path / "other.yaml", [("x", "X", "http://127.0.0.1:9/a")], unit="khong-co")
    with pytest.raises(FeedError) as raised:
        fetch(empty_engine, other)
    assert raised.value.key == "feed_unknown_unit" and raised.value.params["allowed"] == "test-unit"
    assert scalar(empty_engine, select(func.count()).select_from(Member).where(Member.code == "x")) == 0


def test_cli_fetch_sites_prints_problems_and_a_table_and_sets_the_exit_status(
    empty_url: str, empty_engine: Engine, server: FeedServer, tmp_path: Path
) -> None:
    from commstats.cli import app

    good = server.serve("/rss", Reply(body=server.fixture("rss2.xml"), etag='"r1"'))
    gone = server.url("/gone")
    both = write_sites(tmp_path / "both.yaml", [("tieu-can", "UBND huyện Tiểu Cần", good), ("mat", "Trang mất", gone)])
    runner = CliRunner()
    options = ["--db", empty_url, "--timeout", "2", "--attempts", "1"]

    result = runner.invoke(app, ["fetch-sites", "--sites", str(both), "--since", "2019-01", *options])

    assert result.exit_code == 1, result.output
    assert f"Trang Trang mất (mat): không tìm thấy nguồn tin (HTTP 404) tại {server.url('/gone')}" in result.output
    assert "Trang     Trạng thái   Tin mới  Tháng cập nhật" in result.output
    assert "tieu-can  đã cập nhật  5        2019-07, 2019-08" in result.output
    assert "mat       LỖI          0        -" in result.output
    assert "Đọc được 1/2 trang (1 trang lỗi); 5 tin mới" in result.output
    assert counts(empty_engine) == {("tieu-can", "2019-07"): 2, ("tieu-can", "2019-08"): 3}

    result = runner.invoke(app, ["fetch-sites", "--sites", str(both), "--lang", "en", *options])
    assert result.exit_code == 1
    assert "Site Site mat (mat): feed not found (HTTP 404)" in result.output
    assert "tieu-can  unchanged  0          -" in result.output  # 304: nothing read, nothing written

    one = write_sites(tmp_path / "one.yaml", [("tieu-can", "UBND huyện Tiểu Cần", good)])
    result = runner.invoke(app, ["fetch-sites", "--sites", str(one), *options])
    assert result.exit_code == 0, result.output
    assert "số liệu không thay đổi, không tạo lô mới" in result.output

    result = runner.invoke(app, ["fetch-sites", "--sites", str(one), "--unit", "khong-co", *options])
    assert result.exit_code == 2
    assert "Đơn vị khong-co" in result.output and "Các đơn vị hiện có: test-unit" in result.output
    result = runner.invoke(app, ["fetch-sites", "--sites", str(tmp_path / "none.yaml"), *options])
    assert result.exit_code == 2 and "Không tìm thấy danh sách trang" in result.output
