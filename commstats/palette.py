"""One palette for every chart: a colour per section, per breakdown member (language, document
direction) and per metric (shades of its section's colour), so a thing keeps its colour on every page."""

from __future__ import annotations

from collections.abc import Sequence

SECTION_COLORS: dict[str, str] = {
    "portal": "#0b5394",  # the app's primary blue
    "sites": "#38761d",
    "publishing": "#b45f06",
    "propaganda": "#741b47",
    "games": "#7f6000",
    "egov": "#134f5c",
    "management": "#5b5b5b",
}
MEMBER_COLORS: dict[tuple[str, str], str] = {
    ("language", "vi"): "#c62828",  # red, as the national flag
    ("language", "km"): "#f9a825",  # Khmer: saffron
    ("language", "en"): "#1565c0",
    ("direction", "incoming"): "#00897b",
    ("direction", "outgoing"): "#6a1b9a",
}
UNALLOCATED_COLOR = "#9e9e9e"
FALLBACK = ("#0b5394", "#e69138", "#6aa84f", "#a64d79", "#3d85c6", "#cc0000", "#8e7cc3", "#45818e", "#bf9000")
# Lines of successive years in a year-over-year chart: older years pale, the latest strong.
YEAR_SCALE = ("#cfd8e3", "#b3c3d6", "#93abc6", "#7393b5", "#557ba3", "#3a6491", "#21507f", "#0b3d6e")
LATEST_YEAR_COLOR = "#c62828"
# Site × month posts: a month without posts (0) in the flag colour, then pale to dark orange.
HEATMAP_SCALE = ((0.0, "#c62828"), (1e-9, "#fff5eb"), (0.15, "#fdd0a2"), (0.5, "#fd8d3c"), (1.0, "#7f2704"))
FLAG_COLOR = "#c62828"
MERGER_COLOR = "#6d6d6d"


def _mix(color: str, other: str, share: float) -> str:
    """`color` moved `share` of the way towards `other` (both #rrggbb)."""
    a = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def section_color(section_code: str) -> str:
    return SECTION_COLORS.get(section_code, FALLBACK[sum(map(ord, section_code)) % len(FALLBACK)])


def member_color(dimension: str | None, code: str, index: int = 0) -> str:
    if code == "":
        return UNALLOCATED_COLOR
    return MEMBER_COLORS.get((dimension or "", code), FALLBACK[index % len(FALLBACK)])


def metric_colors(metrics: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Colours for (metric code, section code) pairs in catalogue order: the first metric of a section
    gets the section's colour, the next ones alternately darker and lighter shades of it."""
    steps = (0.0, -0.35, 0.4, -0.6, 0.6, -0.2, 0.25)
    seen: dict[str, int] = {}
    colors: dict[str, str] = {}
    for code, section in metrics:
        n = seen.get(section, 0)
        seen[section] = n + 1
        step = steps[n % len(steps)]
        base = section_color(section)
        colors[code] = _mix(base, "#000000", -step) if step < 0 else _mix(base, "#ffffff", step)
    return colors


def year_colors(years: Sequence[int]) -> dict[int, str]:
    """Pale to strong blue for older to recent years; the latest year in red so it stands out."""
    ordered = sorted(years)
    older = ordered[:-1]
    colors: dict[int, str] = {}
    for i, year in enumerate(older):  # spread over the scale so that two or three years stay apart
        position = len(YEAR_SCALE) - 1 if len(older) == 1 else 1 + round(i * (len(YEAR_SCALE) - 2) / (len(older) - 1))
        colors[year] = YEAR_SCALE[position]
    if ordered:
        colors[ordered[-1]] = LATEST_YEAR_COLOR
    return colors
