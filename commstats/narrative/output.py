"""A draft as plain text (to paste into the report) or Markdown."""

from __future__ import annotations

import re

from commstats.narrative.compose import Draft

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def to_text(draft: Draft, *, section_titles: bool = True) -> str:
    """Heading lines, then each section's paragraphs as the report's `- ` bullets."""
    lines = [line for line in (draft.unit_line, draft.title, draft.window, *draft.notes) if line]
    for section in draft.sections:
        lines.append("")
        if section_titles:
            lines.append(section.title)
        lines.extend(f"{draft.bullet}{p.text}" for p in section.paragraphs)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def to_markdown(draft: Draft) -> str:
    lines = [f"# {_md(draft.title)}", ""]
    if draft.unit_line:
        lines += [f"**{_md(draft.unit_line)}**", ""]
    for line in (draft.window, *draft.notes):
        if line:
            lines += [f"_{_md(line)}_", ""]
    for section in draft.sections:
        lines += [f"## {_md(section.title)}", ""]
        lines += [f"- {_md(p.text)}" for p in section.paragraphs]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
