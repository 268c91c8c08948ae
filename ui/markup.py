"""Stored text (names, notes, codes, file names, drafted sentences) shown literally in Streamlit.

Streamlit renders Markdown in st.markdown, st.caption, st.title/header/subheader, the alert boxes
(st.info/warning/error/success), widget labels and `help` tooltips, including images (`![x](url)`),
links, `:material/…:` icons, `:red[…]` colours and `$…$` maths. A name is data, never markup: every
stored string that reaches one of those places goes through `md` first. Tables (st.dataframe), select
options and st.code show text as it is and need nothing.
"""

from __future__ import annotations

import string

# CommonMark lets any ASCII punctuation be backslash-escaped, and the escaped character is shown as itself.
# Escaping all of it (not only today's special characters) also covers Streamlit's own additions (`:`, `$`,
# `~`) and HTML-looking text (`<img …>`, `&lt;`).
_ESCAPE = str.maketrans({c: "\\" + c for c in string.punctuation})


def md(value: object) -> str:
    """`value` as text that Streamlit's Markdown shows literally, its line breaks kept."""
    return "  \n".join(line.translate(_ESCAPE) for line in str(value).splitlines())
