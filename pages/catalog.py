"""Danh mục chỉ tiêu: the metric catalogue, read-only — sections, metrics in both languages, units, kinds and
breakdowns, as data/catalog.yaml defines them (changed by IT in that file, then `init`)."""

import pandas as pd
import streamlit as st

from commstats.catalog import listing, load_catalog
from commstats.i18n import t
from ui.frame import open_page

lang = open_page("catalog").selection.lang
st.caption(t("catalog.caption"))
kinds = {"flow": t("catalog.kind_flow"), "stock": t("catalog.kind_stock"), "ratio": t("catalog.kind_ratio")}
rows = listing(load_catalog(), lang)
sections = list(dict.fromkeys(r.section for r in rows))
chosen = st.multiselect(t("catalog.sections"), sections, key="catalog_sections", placeholder=t("catalog.all"))
shown = [r for r in rows if not chosen or r.section in chosen]
st.dataframe(
    pd.DataFrame(
        {
            t("catalog.col_section"): [r.section for r in shown],
            t("catalog.col_name_vi"): [r.name_vi for r in shown],
            t("catalog.col_name_en"): [r.name_en for r in shown],
            t("catalog.col_unit"): [r.unit for r in shown],
            t("catalog.col_kind"): [kinds[r.kind] for r in shown],
            t("catalog.col_breakdown"): [r.breakdown for r in shown],
            t("catalog.col_better"): [t("catalog.lower") if r.better == "lower" else "" for r in shown],
            t("catalog.col_code"): [r.code for r in shown],
            t("catalog.col_indicator"): [r.indicator for r in shown],
        }
    ),
    hide_index=True,
    width="stretch",
    height=min(38 * len(shown) + 40, 900),
    key="catalog_table",
)
st.caption(t("catalog.count", count=len(shown)))
