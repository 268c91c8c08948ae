"""The data model: units, the metric catalogue, members, observations and their provenance."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Unit(Base):
    """A department or province; may be merged into another unit from a date."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    merged_on: Mapped[dt.date | None] = mapped_column(Date)
    # 0 = calendar month; 15 = the 15th→14th window of Nghị định 09/2019/NĐ-CP.
    cutoff_day: Mapped[int] = mapped_column(Integer, default=0)
    first_year: Mapped[int | None] = mapped_column(Integer)  # None: the settings' first_year
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    public_view: Mapped[bool] = mapped_column(Boolean, default=False)
    # The province the unit reports for (an `area` of the 63 or of the 34 map); its region and the nation
    # follow from the area's parents: unit → province → region → nation. None: not placed on a map.
    area_code: Mapped[str | None] = mapped_column(String(16), index=True)


class Area(Base):
    """A province (of the 63 before 2025-07-01 or of the 34 after), a socio-economic region, or the nation;
    loaded from data/provinces.yaml by `init`. An old province names the new one it became part of."""

    __tablename__ = "area"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # 63-84, 34-86, dbscl, vn
    level: Mapped[str] = mapped_column(String(16))  # province | region | nation
    map: Mapped[str] = mapped_column(String(4), default="")  # 63 | 34 for provinces, "" otherwise
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    parent_code: Mapped[str | None] = mapped_column(String(16))  # province → region → nation
    successor_code: Mapped[str | None] = mapped_column(String(16))  # an old province → its new province
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Population(Base):
    """A reference figure: an area's population in a year, with where it comes from (data/population.yaml)."""

    __tablename__ = "population"
    __table_args__ = (UniqueConstraint("area_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(Text, default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)


class Section(Base):
    __tablename__ = "section"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Metric(Base):
    __tablename__ = "metric"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    unit_vi: Mapped[str] = mapped_column(String(64))
    unit_en: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))  # "flow" or "stock"
    dimension: Mapped[str | None] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    section: Mapped[Section] = relationship()


class Member(Base):
    """A breakdown member: a language, a component site, a document direction...

    The member with an empty code is "not broken down"; every metric uses it for its
    plain monthly value, and for a broken-down metric it holds what was not allocated.
    """

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("dimension", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(128))
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class ImportBatch(Base):
    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))  # loaded | unchanged
    created_by: Mapped[str] = mapped_column(String(128), default="")
    message: Mapped[str] = mapped_column(Text, default="")


class Observation(Base):
    __tablename__ = "observation"
    __table_args__ = (
        UniqueConstraint("unit_id", "metric_id", "period", "member_id", "grain"),
        Index("ix_observation_metric_period", "metric_id", "period", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metric.id"))
    period: Mapped[dt.date] = mapped_column(Date)  # first day of the month (or of the grain's period)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    value: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    # The period the source gives the figure for (commstats.periods.PeriodKind): a quarter's figure stays a
    # quarter's and is never turned into months; commstats.grains decides which grain a period is read from.
    grain: Mapped[str] = mapped_column(String(16), default="month", server_default="month")
    # Written before the period was over ("ước thực hiện"); the actual figure replaces it as a revision.
    estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Revision(Base):
    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), index=True)
    old_value: Mapped[int] = mapped_column(BigInteger)
    new_value: Mapped[int] = mapped_column(BigInteger)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    # Whether the figure was an estimate before and after (an estimate replaced by the actual figure: True, False).
    old_estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    new_estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Target(Base):
    """An annual target (kế hoạch năm) per unit, metric and year."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("unit_id", "metric_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metric.id"))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(BigInteger)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=func.now())


class SitePost(Base):
    """One post of a component site, seen in its feed or sitemap; stored once per URL/guid."""

    __tablename__ = "site_post"
    __table_args__ = (UniqueConstraint("unit_id", "site_member_id", "guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    site_member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    guid: Mapped[str] = mapped_column(String(1024))
    title: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"))


class FeedState(Base):
    """What a feed said last time a unit fetched it, for conditional requests (ETag / Last-Modified).
    Kept per unit: a 304 earned by one unit's fetch must not hide new posts from another unit."""

    __tablename__ = "feed_state"
    __table_args__ = (UniqueConstraint("unit_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    url: Mapped[str] = mapped_column(String(1024))
    etag: Mapped[str] = mapped_column(String(512), default="")
    last_modified: Mapped[str] = mapped_column(String(128), default="")
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LicenceRecord(Base):
    """One licence or declaration from a register; monthly counts are derived from these."""

    __tablename__ = "licence_record"
    __table_args__ = (UniqueConstraint("unit_id", "metric_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metric.id"))
    number: Mapped[str] = mapped_column(String(128))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    holder: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"))


class AppUser(Base):
    """A local account. `password_hash` is an argon2id hash, empty for accounts that only use single sign-on."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class UserRole(Base):
    """One role of a user on one unit; `unit_id` NULL means every unit (a global grant)."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # viewer | analyst | editor | admin


class AuditEvent(Base):
    """Who did what and when. Rows are only ever added; names are copied so they outlive their rows."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_actor_at", "actor", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(128))  # an account, "os:<login>", or "" for anonymous
    action: Mapped[str] = mapped_column(String(32))  # import, entry, target, user_add, sign_in, ...
    unit_code: Mapped[str] = mapped_column(String(64), default="")
    target: Mapped[str] = mapped_column(String(512), default="")  # what was acted on (file, user, metric...)
    batch_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")  # a short JSON object


# --- the report cycle (commstats/cycle) --------------------------------------------------------


class Department(Base):
    """A department (phòng) of a unit that a report section can be assigned to."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")  # where its reminders go


class DeadlineRule(Base):
    """A unit's own submission deadline for one kind of period (the defaults are Thông tư 02/2023/TT-BTTTT's):
    day `day` of the month `month_offset` months after the period's last month."""

    __tablename__ = "deadline_rule"
    __table_args__ = (UniqueConstraint("unit_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # month | quarter | half | nine_months | year
    day: Mapped[int] = mapped_column(Integer)
    month_offset: Mapped[int] = mapped_column(Integer, default=0)


class ReportRound(Base):
    """One reporting round: a unit's report for one period, its data window, deadline and approval."""

    __tablename__ = "report_round"
    __table_args__ = (UniqueConstraint("unit_id", "period_key"), Index("ix_report_round_status", "status", "unit_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(16))  # 2019-07, 2019-Q3, 2019-H1, 2019-9M, 2019
    kind: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[dt.date] = mapped_column(Date)  # first month
    period_end: Mapped[dt.date] = mapped_column(Date)  # first day of the last month
    window_start: Mapped[dt.date] = mapped_column(Date)  # the cut-off window (Nghị định 09/2019/NĐ-CP)
    window_end: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | approved
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    opened_by: Mapped[str] = mapped_column(String(128), default="")
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    approved_by: Mapped[str] = mapped_column(String(128), default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # the approved report e-mailed to subscribers


class RoundSection(Base):
    """One section of a round's report (a catalogue section's metrics, or a narrative block), its assignee
    (a department or a person) and its stored status; "late" is worked out from the due date."""

    __tablename__ = "round_section"
    __table_args__ = (UniqueConstraint("round_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("report_round.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))  # a catalogue section code, or a narrative block code
    kind: Mapped[str] = mapped_column(String(16))  # metrics | narrative
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    due: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_started")  # not_started|in_progress|submitted|approved
    body: Mapped[str] = mapped_column(Text, default="")  # the text of a narrative block
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_by: Mapped[str] = mapped_column(String(128), default="")
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Adjustment(Base):
    """A change to a figure of an approved (locked) round, with its reason; listed in the next report
    approved after it ("số liệu điều chỉnh"), which `reported_in_id` then names."""

    __tablename__ = "adjustment"
    __table_args__ = (Index("ix_adjustment_unit_period", "unit_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("report_round.id", ondelete="CASCADE"))  # the locked round
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metric.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    period: Mapped[dt.date] = mapped_column(Date)
    old_value: Mapped[int | None] = mapped_column(BigInteger)  # None: the figure was missing when locked
    new_value: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    changed_by: Mapped[str] = mapped_column(String(128), default="")
    reported_in_id: Mapped[int | None] = mapped_column(ForeignKey("report_round.id", ondelete="SET NULL"))


class Subscriber(Base):
    """Someone who receives a unit's approved reports by e-mail."""

    __tablename__ = "subscriber"
    __table_args__ = (UniqueConstraint("unit_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    lang: Mapped[str] = mapped_column(String(2), default="vi")


# --- sign-in throttle (commstats/auth) ----------------------------------------------------------


class SignInThrottle(Base):
    """Failed sign-ins of one name from one client (commstats.auth): how many, and when the last one was
    (the pair is refused for a back-off that grows with the count, up to a cap). The typed name is kept
    only as a keyed hash, since people type passwords into the name field."""

    __tablename__ = "sign_in_throttle"

    name_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)  # the lock runs from here


class UserSession(Base):
    """A password sign-in kept by a browser (commstats.auth.session_token): the cookie's token names this row
    by a random id, stored only as its SHA-256. Signing out deletes the row, a new password or a disabled
    account deletes all of the account's rows, so a copied cookie stops working everywhere."""

    __tablename__ = "user_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # rows past it are deleted


class AppSecret(Base):
    """Random keys made once per database (the key of the name hashes above), shared by every instance."""

    __tablename__ = "app_secret"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


# --- narrative blocks (the report's text sections) ----------------------------------------------


class NarrativeBlock(Base):
    """A text block of a unit's report for one period that figures cannot give (overall assessment,
    difficulties, next period's tasks, recommendations, the letterhead and signature). Every save adds a
    version; the highest version is the current text, older ones are the history."""

    __tablename__ = "narrative_block"
    __table_args__ = (UniqueConstraint("unit_id", "period_key", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    period_key: Mapped[str] = mapped_column(String(16))  # 2019-07, 2019-Q3, 2019-H1, 2019-9M, 2019
    kind: Mapped[str] = mapped_column(String(32))  # assessment, difficulties, tasks, recommendations, ...
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="edit")  # edit | carried (from the previous period)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    created_by: Mapped[str] = mapped_column(String(128), default="")
