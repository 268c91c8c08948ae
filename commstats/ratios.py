"""Ratio metrics (kind `ratio` in data/catalog.yaml): a percentage computed from a numerator metric over the sum
of denominator metrics, each folded over the period first (flows summed, stocks at the end of the period).

A ratio is never stored and never added up: a quarter's on-time share is the quarter's on-time dossiers over
the quarter's settled-or-due dossiers, not the sum (or the mean) of three monthly shares, and two units
combined are their summed parts divided, not their two shares added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from commstats.catalog import load_catalog

Definitions = Mapping[str, tuple[str, Sequence[str]]]  # ratio code -> (numerator, denominators)


def definitions() -> dict[str, tuple[str, tuple[str, ...]]]:
    """The ratios of the catalogue file."""
    return load_catalog().ratios()


def ratio_value(numerator: float | None, denominators: Iterable[float | None]) -> float | None:
    """numerator / sum(denominators) in percent; None when the numerator or every denominator is missing, or the
    base is zero (a share of nothing is not 0%)."""
    present = [d for d in denominators if d is not None]
    if numerator is None or not present or not sum(present):
        return None
    return 100 * float(numerator) / float(sum(present))


def ratios_of(values: Mapping[str, float], wanted: Definitions) -> dict[str, float]:
    """The ratios of `wanted` whose parts are in `values` (metric code -> value folded over one period)."""
    result: dict[str, float] = {}
    for code, (numerator, denominators) in wanted.items():
        value = ratio_value(values.get(numerator), [values.get(d) for d in denominators])
        if value is not None:
            result[code] = value
    return result


def parts_of(codes: Iterable[str], wanted: Definitions) -> list[str]:
    """`codes` with the numerator and denominators of the ratios among them added (each once, in order)."""
    result: list[str] = []
    for code in codes:
        numerator, denominators = wanted.get(code, ("", ()))
        for part in (code, numerator, *denominators):
            if part and part not in result:
                result.append(part)
    return result
