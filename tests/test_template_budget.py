"""A sentence template that loops for ever or builds a huge text is stopped within its budget, with the file,
the place and the line of the template in the message; normal templates are not affected."""

from __future__ import annotations

import resource
import threading

import pytest

from commstats.narrative import TemplateError, draft_report, load_templates
from commstats.narrative.templates import MAX_OUTPUT, MAX_STEPS
from commstats.periods import parse_period
from tests.test_narrative_templates import edited_templates, paragraph

HOSTILE = {
    "nested-loops": "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
    "loop-over-text": "{% set s = 'x' * 2000 %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}"
    "{% endfor %}{% endfor %}",
    "recursive-macro": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "repeat-text": "{{ 'x' * 10**10 }}",
    "repeat-list": "{{ ([0] * 10**9) | length }}",
    "join-big": "{% set s = 'x' * 90000 %}{{ ([s] * 90000) | join }}",
    "replace-big": "{% set s = 'x' * 90000 %}{{ s | replace('x', s) }}",
    "wide-center": "{{ 'x' | center(10**9) }}",
    "wide-ljust": "{{ 'x'.ljust(10**9) }}",
    "wide-format": "{{ '{:>999999999}'.format(1) }}",
    "format-width-argument": "{{ '{:>{}}'.format(1, 10**9) }}",
    "percent-width": "{{ '%0999999999d' % 1 }}",
    "percent-star": "{{ '%*d' % (10**9, 1) }}",
    "long-output": "{% for a in range(99999) %}xxxxxxxxxx{% endfor %}",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_runaway_template_is_stopped_with_file_place_and_line(demo_engine, tmp_path, source):
    def change(spec: dict) -> None:
        paragraph(spec, "igate")["text"] = "Dòng một.\n" + source  # the runaway part is on line 2

    path = edited_templates(tmp_path, change)
    templates = load_templates(path=path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome: list[BaseException] = []

    def run() -> None:  # a thread, so a template that is not stopped fails the test instead of hanging it
        try:
            draft_report(demo_engine, ["travinh-demo"], parse_period("2019-07"), "vi", (), templates)
        except BaseException as error:  # handed to the test below
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "the template was not stopped"
    assert outcome and isinstance(outcome[0], TemplateError), outcome
    message = str(outcome[0])
    assert str(path) in message
    assert "sections[egov].paragraphs[igate].text" in message
    assert "(dòng / line 2)" in message, message
    assert "BudgetExceeded" in message and " / " in message  # Vietnamese, then English
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, f"{grown_mb:.0f} MB more at peak"


def test_the_budget_leaves_real_templates_alone(demo_engine, tmp_path):
    def change(spec: dict) -> None:  # a busy but honest paragraph: loops, filters, joins, formats
        paragraph(spec, "igate")["text"] = (
            "{% for a in range(200) %}{% for b in range(200) %}{% endfor %}{% endfor %}"
            "{{ items | join('; ') }} {{ '{:,}'.format(2682057) }} {{ '%d' % 5 }} {{ 'ab' * 3 }}"
        )

    draft = draft_report(
        demo_engine,
        ["travinh-demo"],
        parse_period("2019-07"),
        "vi",
        (),
        load_templates(path=edited_templates(tmp_path, change)),
    )
    text = next(p.text for p in draft.paragraphs if p.id == "igate")
    assert text.endswith("2,682,057 5 ababab")
    assert MAX_STEPS > 40_000 and MAX_OUTPUT >= 10_000  # the limits sit far above real paragraphs
