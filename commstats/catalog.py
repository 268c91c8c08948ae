"""The metric catalogue: read from data/catalog.yaml, checked, and synced into the database."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from commstats.codes import CODE, METRIC_CODE
from commstats.config import DATA_DIR
from commstats.models import Member, Metric, Section

CATALOG_PATH = DATA_DIR / "catalog.yaml"
SITES_PATH = DATA_DIR / "sites.yaml"
NO_DIMENSION = ""  # the dimension of metrics without a breakdown
UNALLOCATED = ""  # the member code for "not broken down"


_METRIC_CODE = f"^{METRIC_CODE.pattern}$"
_MEMBER_CODE = f"^(?:{CODE.pattern})?$"  # empty: the "not broken down" member


class SectionSpec(BaseModel):
    code: str = Field(pattern=_METRIC_CODE)
    name_vi: str
    name_en: str


class MemberSpec(BaseModel):
    code: str = Field(pattern=_MEMBER_CODE)
    name_vi: str
    name_en: str


class DimensionSpec(BaseModel):
    name_vi: str
    name_en: str
    open: bool = False
    members: list[MemberSpec] = Field(default_factory=list)


class MetricSpec(BaseModel):
    code: str = Field(pattern=_METRIC_CODE)
    section: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    kind: Literal["flow", "stock", "ratio"]
    dimension: str | None = None
    numerator: str | None = None  # ratio only: the metric counted ...
    denominator: list[str] = Field(default_factory=list)  # ... over the sum of these (each folded first)
    indicator: str = ""  # the official indicator (TT03/2022, TT04/2022) the metric follows, if any

    @field_validator("kind", mode="before")
    @classmethod
    def _level_is_stock(cls, kind: object) -> object:
        """`level` (the word of the indicator system) is stored as `stock`, as the data always has been."""
        return "stock" if kind == "level" else kind

    @model_validator(mode="after")
    def _ratio_has_parts(self) -> MetricSpec:
        if (self.kind == "ratio") != bool(self.numerator and self.denominator):
            raise ValueError(f"metric {self.code!r}: a ratio (and only a ratio) names a numerator and a denominator")
        return self


class Catalog(BaseModel):
    sections: list[SectionSpec]
    dimensions: dict[str, DimensionSpec]
    metrics: list[MetricSpec]

    @model_validator(mode="after")
    def _references_exist(self) -> Catalog:
        section_codes = {s.code for s in self.sections}
        seen: set[str] = set()
        for metric in self.metrics:
            if metric.code in seen:
                raise ValueError(f"metric code {metric.code!r} is listed twice")
            seen.add(metric.code)
            if metric.section not in section_codes:
                raise ValueError(f"metric {metric.code!r}: unknown section {metric.section!r}")
            if metric.dimension and metric.dimension not in self.dimensions:
                raise ValueError(f"metric {metric.code!r}: unknown dimension {metric.dimension!r}")
        kinds = {m.code: m.kind for m in self.metrics}
        for metric in self.metrics:
            for part in [metric.numerator or "", *metric.denominator] if metric.kind == "ratio" else []:
                if kinds.get(part) not in ("flow", "stock"):
                    raise ValueError(f"metric {metric.code!r}: {part!r} is not a flow or stock metric of the catalogue")
        return self

    def ratios(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Ratio metric code -> (numerator, denominators)."""
        return {m.code: (m.numerator or "", tuple(m.denominator)) for m in self.metrics if m.kind == "ratio"}

    def metric(self, code: str) -> MetricSpec:
        for metric in self.metrics:
            if metric.code == code:
                return metric
        raise KeyError(code)


class SiteSpec(BaseModel):
    code: str = Field(pattern=f"^{CODE.pattern}$")
    name_vi: str
    name_en: str
    url: str
    feed_url: str = ""
    independent: bool = False


class SiteList(BaseModel):
    unit: str
    sites: list[SiteSpec]


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    return Catalog.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def catalog_from(catalog: Catalog | Path | None = None) -> Catalog:
    """A catalogue given as itself, as the path of its file, or (None) data/catalog.yaml."""
    return catalog if isinstance(catalog, Catalog) else load_catalog(catalog or CATALOG_PATH)


def load_sites(path: Path = SITES_PATH) -> SiteList:
    return SiteList.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def sync_catalog(session: Session, catalog: Catalog | Path | None = None) -> None:
    """Insert or update sections, metrics and members so the database matches the files."""
    catalog = catalog_from(catalog)
    sections = {s.code: s for s in session.scalars(select(Section))}
    for order, section_spec in enumerate(catalog.sections):
        section = sections.get(section_spec.code) or Section(code=section_spec.code)
        section.name_vi, section.name_en, section.sort_order = section_spec.name_vi, section_spec.name_en, order
        session.add(section)
        sections[section_spec.code] = section
    session.flush()

    metrics = {m.code: m for m in session.scalars(select(Metric))}
    for order, spec in enumerate(catalog.metrics):
        metric = metrics.get(spec.code) or Metric(code=spec.code)
        metric.section_id = sections[spec.section].id
        metric.name_vi, metric.name_en = spec.name_vi, spec.name_en
        metric.unit_vi, metric.unit_en = spec.unit_vi, spec.unit_en
        metric.kind, metric.dimension, metric.sort_order = spec.kind, spec.dimension, order
        session.add(metric)

    wanted: list[tuple[str, MemberSpec, int]] = [
        (NO_DIMENSION, MemberSpec(code=UNALLOCATED, name_vi="", name_en=""), 0)
    ]
    for dim_code, dim in catalog.dimensions.items():
        wanted.append((dim_code, MemberSpec(code=UNALLOCATED, name_vi="không phân loại", name_en="unallocated"), 999))
        wanted.extend((dim_code, m, i) for i, m in enumerate(dim.members))
    if SITES_PATH.exists():
        wanted.extend(
            ("site", MemberSpec(code=s.code, name_vi=s.name_vi, name_en=s.name_en), i)
            for i, s in enumerate(load_sites().sites)
        )
    members = {(m.dimension, m.code): m for m in session.scalars(select(Member))}
    for dim_code, member_spec, order in wanted:
        member = members.get((dim_code, member_spec.code)) or Member(dimension=dim_code, code=member_spec.code)
        member.name_vi, member.name_en, member.sort_order = member_spec.name_vi, member_spec.name_en, order
        session.add(member)
        members[(dim_code, member_spec.code)] = member
    session.flush()
