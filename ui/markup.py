"""Stored text (names, notes, codes, file names, drafted sentences) shown literally in Streamlit.

Streamlit renders Markdown in st.markdown, st.caption, st.title/header/subheader, the alert boxes
(st.info/warning/error/success), widget labels and `help` tooltips, including images (`![x](url)`),
links, `:material/…:` icons, `:red[…]` colours and `$…$` maths. A name is data, never markup: every
stored string that reaches one of those places goes through `md` first. Tables (st.dataframe), select
options and st.code show text as it is and need nothing.
"""

from __future__ import annotations

import re

# Backslash-escaped (CommonMark shows an escaped punctuation character as itself): what starts markup
# anywhere in a line (code, emphasis, strike-through, links and images, HTML and autolinks, maths, tables)
# and what starts a block at the beginning of a line (headings, lists, underlines). Ordinary punctuation
# of names and sentences (. , ( ) / - ' " % #) is left alone where it cannot start anything, so the text
# stays readable wherever Streamlit shows the Markdown source (AppTest).
_ALWAYS = str.maketrans({c: "\\" + c for c in "\\`*~[]<>$|"})
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # not inside a word: snake_case stays as it is
_ENTITY = re.compile(r"&(?=#?\w+;)")  # &lt; would be shown as <
_DIRECTIVE = re.compile(r":(?=\S)")  # :material/icon:, :red[…], :smile: (a colon before a space is plain)
_BLOCK_START = re.compile(r"^(\s*)(?:([-+=#])|(\d+)([.)]))")  # headings, list items, setext underlines


def _line(text: str) -> str:
    text = _UNDERSCORE.sub(r"\\_", text.translate(_ALWAYS))
    text = _DIRECTIVE.sub(r"\\:", _ENTITY.sub(r"\\&", text))
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[1]}{m[3]}\\{m[4]}", text)


def md(value: object) -> str:
    """`value` as Markdown that Streamlit shows literally, its line breaks kept."""
    return "  \n".join(_line(line) for line in str(value).splitlines())
