"""The held-out reports (tests/fixtures/reports/heldout, written blind to the reader's rules): only what
must hold however the rules are tuned. Nothing wrong is ever loaded, every report's period is read from
its title, and the scorer reads every document. Recall is measured (bench/report_extract.py with
--documents tests/fixtures/reports/heldout), never asserted here: these reports exist to measure it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.report_extract import measure, score
from commstats.config import PROJECT_ROOT
from commstats.periods import parse_period
from etl.extract.report_text import detect_period, read_document

HELDOUT = PROJECT_ROOT / "tests" / "fixtures" / "reports" / "heldout"
SPECS: list[dict[str, Any]] = yaml.safe_load((HELDOUT / "documents.yaml").read_text(encoding="utf-8"))
FORMATS = {".txt", ".docx", ".pdf"}


def test_the_scorer_reads_every_held_out_document() -> None:
    on_disk = sorted(p.name for p in HELDOUT.iterdir() if p.suffix in FORMATS)
    assert sorted(s["file"] for s in SPECS) == on_disk
    assert len(on_disk) >= 10 and {Path(name).suffix for name in on_disk} == FORMATS
    kinds: list[str] = [parse_period(str(s["period"])).kind for s in SPECS]
    for kind, least in {"month": 2, "quarter": 2, "half": 2, "nine_months": 1, "year": 2}.items():
        assert kinds.count(kind) >= least, kind
    scores = measure(HELDOUT)
    assert [s.file for s in scores] == [s["file"] for s in SPECS]
    assert all(s.expected >= 15 for s in scores)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s["file"])
def test_held_out_period_comes_from_the_title(spec: dict[str, Any]) -> None:
    path = HELDOUT / spec["file"]
    text = read_document(path.read_bytes(), path.name)
    assert detect_period(text) == parse_period(str(spec["period"]))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s["file"])
def test_nothing_wrong_is_loaded_from_a_held_out_document(spec: dict[str, Any]) -> None:
    result = score(spec, HELDOUT)
    assert result.wrong == ()
    assert result.right == result.loaded
