"""Parsing component-site feeds: RSS 2.0, Atom, sitemaps, dates and hostile XML. No network."""

from __future__ import annotations

import datetime as dt
import gzip
import unicodedata
from pathlib import Path

import pytest

from etl.extract.feeds import VIETNAM, FeedError, extract, parse_date, read_document
from etl.limits import override

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
BASE = "https://tieucan.travinh.gov.vn"
UTC = dt.UTC


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes().replace(b"{{BASE}}", BASE.encode())


def local_day(moment: dt.datetime | None) -> dt.date:
    assert moment is not None
    return moment.astimezone(VIETNAM).date()


def test_rss2_gives_vietnamese_titles_links_guids_and_dates_in_several_zones() -> None:
    posts = list(extract(fixture("rss2.xml"), "application/rss+xml; charset=utf-8", BASE + "/rss"))

    assert [p.title for p in posts] == [
        "Hội nghị triển khai công tác chuyển đổi số năm 2019",
        "Đồng bào Khmer đón lễ Sene Dolta & vui Tết",
        "Ra quân dọn vệ sinh môi trường đầu tháng 8",
        "Thông báo lịch tiếp công dân tháng 8/2019",
        "Họp báo cung cấp thông tin định kỳ",
        "Tổng kết công tác năm 2018",
    ]
    assert all(unicodedata.is_normalized("NFC", p.title) for p in posts)
    assert posts[0].guid == BASE + "/tin-tuc/hoi-nghi-chuyen-doi-so"
    assert posts[1].guid == "tieu-can-1002" and posts[1].url == BASE + "/tin-tuc/le-sene-dolta"
    # +0700, GMT, +0000 and -0500 all end up as the same instants in UTC ...
    assert [p.published.astimezone(UTC) for p in posts if p.published] == [
        dt.datetime(2019, 7, 1, 1, 0, tzinfo=UTC),
        dt.datetime(2019, 7, 31, 16, 30, tzinfo=UTC),
        dt.datetime(2019, 7, 31, 20, 0, tzinfo=UTC),
        dt.datetime(2019, 8, 15, 2, 12, tzinfo=UTC),
        dt.datetime(2019, 8, 15, 4, 59, tzinfo=UTC),
        dt.datetime(2018, 12, 10, 3, 0, tzinfo=UTC),
    ]
    # ... and the day in Vietnam decides the month: 20:00 UTC on 31 July is already 1 August there.
    assert [local_day(p.published) for p in posts[1:3]] == [dt.date(2019, 7, 31), dt.date(2019, 8, 1)]


def test_atom_uses_published_then_updated_and_resolves_relative_links() -> None:
    document = read_document(fixture("atom.xml"), "application/atom+xml", BASE + "/atom.xml")

    assert document.kind == "atom"
    assert [p.guid for p in document.posts] == [f"tag:sgd.example,2019:post-{i}" for i in range(1, 5)]
    assert document.posts[0].url == BASE + "/bai-viet/khai-giang"
    assert document.posts[0].title == "Khai giảng năm học mới tại trường Phổ thông Dân tộc nội trú"
    assert document.posts[0].published == dt.datetime(2019, 7, 5, 10, tzinfo=VIETNAM)  # published, not updated
    assert document.posts[3].published == dt.datetime(2019, 8, 20, 3, tzinfo=UTC)  # only <updated>
    assert [local_day(p.published) for p in document.posts] == [
        dt.date(2019, 7, 5),
        dt.date(2019, 8, 1),
        dt.date(2019, 8, 2),
        dt.date(2019, 8, 20),
    ]


def test_sitemap_lastmod_news_publication_date_and_missing_dates() -> None:
    document = read_document(fixture("sitemap.xml"), "application/xml", BASE + "/sitemap.xml")

    assert document.kind == "sitemap"
    assert [p.url for p in document.posts] == [
        BASE + "/tin/ngay-hoi-doc-sach",
        BASE + "/tin/hoi-thao-du-lich",
        BASE + "/tin/le-hoi-ok-om-bok",
        BASE + "/gioi-thieu",
    ]
    assert document.posts[0].published == dt.datetime(2019, 7, 3, tzinfo=VIETNAM)  # a bare date is a Vietnam day
    # news:publication_date wins over lastmod (which only says when the page last changed)
    assert local_day(document.posts[2].published) == dt.date(2019, 7, 31)
    assert document.posts[2].title == "Chuẩn bị lễ hội Ok Om Bok"
    assert document.posts[3].published is None  # reported by the counting step, never guessed


def test_sitemap_index_lists_child_sitemaps_with_their_lastmod() -> None:
    document = read_document(fixture("sitemap_index.xml"), "application/xml", BASE + "/sitemap.xml")

    assert document.kind == "sitemapindex"
    assert document.posts == []
    assert [(c.url, local_day(c.lastmod)) for c in document.sitemaps] == [
        (BASE + "/sitemaps/2019-08.xml", dt.date(2019, 8, 31)),
        (BASE + "/sitemaps/2019-07.xml", dt.date(2019, 7, 31)),
        (BASE + "/sitemaps/2018-01.xml", dt.date(2018, 1, 31)),
    ]


def test_gzipped_sitemap_is_inflated() -> None:
    posts = list(extract(gzip.compress(fixture("sitemap_2019-08.xml")), "application/gzip", BASE + "/s.xml.gz"))
    assert [p.url for p in posts] == [BASE + "/bai/3", BASE + "/bai/4", BASE + "/bai/5"]


def test_undated_items_have_no_date_rather_than_a_guess() -> None:
    posts = list(extract(fixture("undated.xml"), "application/rss+xml", BASE + "/rss"))
    assert [(p.title, p.published) for p in posts] == [("Bài không có ngày đăng", None), ("Bài thứ hai", None)]


def test_item_without_guid_or_link_has_an_empty_guid() -> None:
    content = (
        b'<rss version="2.0"><channel><title>x</title><item><title>Kh\xc3\xb4ng link</title>'
        b"<pubDate>Mon, 01 Jul 2019 08:00:00 +0700</pubDate></item></channel></rss>"
    )
    [post] = extract(content, "application/rss+xml", BASE + "/rss")
    assert post.guid == "" and post.title == "Không link"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 31 Jul 2019 20:00:00 +0000", dt.datetime(2019, 7, 31, 20, tzinfo=UTC)),
        ("Wed, 31 Jul 2019 16:30:00 GMT", dt.datetime(2019, 7, 31, 16, 30, tzinfo=UTC)),
        ("2019-08-02T09:00:00+09:00", dt.datetime(2019, 8, 2, 0, tzinfo=UTC)),
        ("2019-07-31T18:00:00Z", dt.datetime(2019, 7, 31, 18, tzinfo=UTC)),
        ("2019-07-03", dt.datetime(2019, 7, 2, 17, tzinfo=UTC)),  # midnight in Vietnam
        ("2019-07-03T08:00:00", dt.datetime(2019, 7, 3, 1, tzinfo=UTC)),  # no zone: Vietnam time
        ("31/07/2019 20:00", dt.datetime(2019, 7, 31, 13, tzinfo=UTC)),  # day first, as Vietnamese CMSs write
        ("15/08/2019", dt.datetime(2019, 8, 14, 17, tzinfo=UTC)),
    ],
)
def test_parse_date_forms_and_zones(text: str, expected: dt.datetime) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.astimezone(UTC) == expected


@pytest.mark.parametrize("text", ["", "không rõ", "32/13/2019", "2019-13-45"])
def test_parse_date_rejects_nonsense(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("name", "content_type", "key"),
    [
        ("page.html", "text/html; charset=utf-8", "feed_html"),
        ("page.html", "application/xml", "feed_html"),  # sniffed even when the server says XML
        ("malformed.xml", "application/rss+xml", "feed_malformed"),
        ("bomb.xml", "application/rss+xml", "feed_unsafe_xml"),
        ("xxe.xml", "application/rss+xml", "feed_unsafe_xml"),
    ],
)
def test_bad_documents_raise_a_named_problem(name: str, content_type: str, key: str) -> None:
    with pytest.raises(FeedError) as raised:
        list(extract(fixture(name), content_type, BASE + "/rss"))
    assert raised.value.key == key


def test_malformed_xml_names_line_and_column() -> None:
    with pytest.raises(FeedError) as raised:
        read_document(fixture("malformed.xml"), "application/rss+xml", BASE + "/rss")
    assert raised.value.params["line"] == 4 and raised.value.params["column"] > 0


def test_external_entity_is_never_resolved() -> None:
    with pytest.raises(FeedError) as raised:
        read_document(fixture("xxe.xml"), "application/rss+xml", BASE + "/rss")
    assert "root:" not in str(raised.value)  # /etc/passwd was not read into the message


def test_other_xml_and_empty_bodies_are_not_feeds() -> None:
    with pytest.raises(FeedError) as raised:
        read_document(b"<?xml version='1.0'?><config><a/></config>", "application/xml", BASE)
    assert (raised.value.key, raised.value.params) == ("feed_unknown_format", {"root": "config"})
    with pytest.raises(FeedError) as raised:
        read_document(b"  \n", "application/xml", BASE)
    assert raised.value.key == "feed_empty"


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (2 * 1024 * 1024) + b"</urlset>")
    assert len(bomb) < 10_000
    with override(feed_unzipped_bytes=1024 * 1024), pytest.raises(FeedError) as raised:
        read_document(bomb, "application/gzip", BASE)
    assert raised.value.key == "feed_too_large"


@pytest.mark.parametrize(
    "entry",
    ["<item><title>t</title></item>", "<url><loc>https://a.example/x</loc></url>", "<entry><title>t</title></entry>"],
)
def test_a_document_of_too_many_entries_is_refused_before_parsing(entry: str) -> None:
    roots = {
        "i": ("<rss version='2.0'><channel>", "</channel></rss>"),
        "u": ("<urlset>", "</urlset>"),
        "e": ("<feed xmlns='http://www.w3.org/2005/Atom'>", "</feed>"),
    }
    head, tail = roots[entry[1]]
    body = (head + entry * 12 + tail).encode()
    with override(feed_entries=10), pytest.raises(FeedError) as raised:
        read_document(body, "application/xml", BASE)
    assert (raised.value.key, raised.value.params) == ("feed_too_many_entries", {"limit": 10})
    with override(feed_entries=12):
        assert len(read_document(body, "application/xml", BASE).posts) in (0, 12)  # at the limit: read
