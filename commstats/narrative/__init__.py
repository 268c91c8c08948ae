"""Drafting the numeric paragraphs of monthly, quarterly, 6-month, 9-month and yearly reports."""

from commstats.narrative.compose import Draft, DraftParagraph, DraftSection, draft_report
from commstats.narrative.facts import COMPARISONS, parse_compare
from commstats.narrative.templates import TemplateError, load_templates

__all__ = [
    "COMPARISONS",
    "Draft",
    "DraftParagraph",
    "DraftSection",
    "TemplateError",
    "draft_report",
    "load_templates",
    "parse_compare",
]
