"""How well figures are read from past reports: precision and recall per period kind, review items per document.

    python -m bench.report_extract [--documents tests/fixtures/reports/documents] [--sentences FILE.yaml ...]

Reads the ten reports of tests/fixtures/reports/documents (.txt, .docx, .pdf; one of every period kind
and more) exactly as `python -m commstats extract` does, and compares what would be loaded with what a
person would load (documents.yaml):
- precision: of the figures that would be loaded (sure, with a period), the share that is right — same
  metric, member, value, period, grain and estimate flag. Anything below 100% is a wrong figure loaded.
- recall: of the figures a person would load, the share the extractor loads.
- review: the items listed for a person, and how many of them are right (a figure of the text, of this
  period or of another one, with the right metric and value), so that accepting them would not mislead.

`--sentences` also scores sentence corpora (tests/fixtures/reports/sentences*.yaml): precision and recall of
the `sure` figures, per section of the catalogue (portal, sites, publishing, egov...).
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from commstats.catalog import load_catalog
from commstats.config import PROJECT_ROOT
from commstats.periods import PeriodKind, parse_period
from etl.extract.report_text import Figure, extract_figures, read_document

DOCUMENTS = PROJECT_ROOT / "tests" / "fixtures" / "reports" / "documents"
SENTENCES = PROJECT_ROOT / "tests" / "fixtures" / "reports" / "sentences_dev.yaml"


@dataclass(frozen=True)
class DocumentScore:
    file: str
    kind: PeriodKind
    period: str  # the period read from the title
    expected: int  # figures a person would load
    loaded: int  # figures the extractor would load
    right: int  # loaded figures that are right
    review: int  # figures listed for review
    review_right: int  # review items that are figures of the text (this period or another)
    wrong: tuple[str, ...]  # loaded figures that are not right (must stay empty)


def _key(line: str) -> tuple[str, str, int, bool]:
    parts = line.split()
    return parts[0], "" if parts[1] == "-" else parts[1], int(parts[2]), "est" in parts[3:]


def _figure_key(figure: Figure) -> tuple[str, str, int, bool]:
    return figure.metric, figure.member, figure.value, figure.estimated


def score(spec: dict[str, Any], folder: Path = DOCUMENTS) -> DocumentScore:
    path = folder / spec["file"]
    text = read_document(path.read_bytes(), path.name)
    figures = extract_figures(text)
    period = parse_period(str(spec["period"]))
    expected = [_key(line) for line in spec["expected"]]
    known = {k[:3] for k in expected} | {_key(line)[:3] for line in spec.get("other") or []}
    loaded = [f for f in figures if f.sure and f.period is not None]
    right = [f for f in loaded if _figure_key(f) in expected and f.period_key == period.key]
    wrong = tuple(f"{f.metric} {f.member or '-'} {f.value} {f.period_key}" for f in loaded if f not in right)
    review = [f for f in figures if not f.sure]
    return DocumentScore(
        file=spec["file"],
        kind=period.kind,
        period=loaded[0].period_key if loaded else "-",
        expected=len(expected),
        loaded=len(loaded),
        right=len(right),
        review=len(review),
        review_right=sum(1 for f in review if (f.metric, f.member, f.value) in known),
        wrong=wrong,
    )


def measure(folder: Path = DOCUMENTS) -> list[DocumentScore]:
    specs = yaml.safe_load((folder / "documents.yaml").read_text(encoding="utf-8"))
    return [score(spec, folder) for spec in specs]


def totals(scores: list[DocumentScore]) -> dict[str, tuple[float, float]]:
    """Precision and recall per period kind and over all documents."""
    groups: dict[str, list[DocumentScore]] = defaultdict(list)
    for item in scores:
        groups[item.kind].append(item)
        groups["all"].append(item)
    result: dict[str, tuple[float, float]] = {}
    for kind, items in groups.items():
        loaded, right, expected = (sum(getattr(i, name) for i in items) for name in ("loaded", "right", "expected"))
        result[kind] = (right / loaded if loaded else 1.0, right / expected if expected else 1.0)
    return result


@dataclass(frozen=True)
class SentenceScore:
    id: str
    expected: tuple[tuple[str, str, int, bool], ...]  # the sure figures a person would load
    loaded: tuple[tuple[str, str, int, bool], ...]  # the figures the extractor would load

    @property
    def right(self) -> Counter[tuple[str, str, int, bool]]:
        return Counter(self.expected) & Counter(self.loaded)

    @property
    def wrong(self) -> list[tuple[str, str, int, bool]]:
        return list((Counter(self.loaded) - Counter(self.expected)).elements())

    @property
    def missed(self) -> list[tuple[str, str, int, bool]]:
        return list((Counter(self.expected) - Counter(self.loaded)).elements())


def score_sentences(path: Path = SENTENCES) -> list[SentenceScore]:
    """Each sentence of a corpus file read in a report of its period: what is loaded against its `sure` lines."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    result: list[SentenceScore] = []
    for item in items:
        figures = extract_figures(item["text"], parse_period(str(item.get("period", "2019-07"))))
        expected = tuple(_key(line) for line in item["expect"] if line.split()[3] == "sure")
        loaded = tuple(_figure_key(f) for f in figures if f.sure and f.period is not None)
        result.append(SentenceScore(str(item["id"]), expected, loaded))
    return result


def sentence_totals(scores: list[SentenceScore]) -> dict[str, tuple[int, int, int, int]]:
    """Per catalogue section and "all": (loaded, right, expected, wrong) figure counts."""
    section = {metric.code: metric.section for metric in load_catalog().metrics}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for item in scores:
        for name, keys in (("loaded", item.loaded), ("expected", item.expected), ("wrong", item.wrong)):
            column = {"loaded": 0, "expected": 2, "wrong": 3}[name]
            for key in keys:
                for group in (section[key[0]], "all"):
                    counts[group][column] += 1
        for key in item.right.elements():
            for group in (section[key[0]], "all"):
                counts[group][1] += 1
    return {group: (c[0], c[1], c[2], c[3]) for group, c in sorted(counts.items(), key=lambda kv: kv[0] == "all")}


def print_sentences(path: Path) -> None:
    scores = score_sentences(path)
    print(f"{path.name}: {len(scores)} sentences")
    for item in scores:
        for wrong in item.wrong:
            print(f"    WRONG in {item.id!r}: {wrong}")
    print(f"{'section':<12} {'expected':>8} {'loaded':>6} {'right':>5} {'precision':>9} {'recall':>7}")
    for group, (loaded, right, expected, _) in sentence_totals(scores).items():
        precision = right / loaded if loaded else 1.0
        recall = right / expected if expected else 1.0
        print(f"{group:<12} {expected:>8} {loaded:>6} {right:>5} {precision:>9.1%} {recall:>7.1%}")
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=Path, default=DOCUMENTS)
    parser.add_argument("--sentences", type=Path, nargs="*", default=None, help=f"default {SENTENCES.name}")
    parser.add_argument("--missed", action="store_true", help="list the expected figures not loaded")
    args = parser.parse_args(argv)
    if args.sentences is not None:
        for path in args.sentences or [SENTENCES]:
            print_sentences(path)
            if args.missed:
                for sentence in score_sentences(path):
                    for missed in sentence.missed:
                        print(f"    missed in {sentence.id!r}: {missed}")
    scores = measure(args.documents)
    header = ("document", "period", "expected", "loaded", "right", "review", "review right")
    print("{:<22} {:<8} {:>8} {:>6} {:>5} {:>6} {:>12}".format(*header))
    for item in scores:
        print(
            f"{item.file:<22} {item.period:<8} {item.expected:>8} {item.loaded:>6} {item.right:>5} "
            f"{item.review:>6} {item.review_right:>12}"
        )
        for wrong in item.wrong:
            print(f"    WRONG: {wrong}")
    print()
    print(f"{'period kind':<12} {'precision':>9} {'recall':>7}")
    for kind, (precision, recall) in totals(scores).items():
        print(f"{kind:<12} {precision:>9.1%} {recall:>7.1%}")


if __name__ == "__main__":
    main()
