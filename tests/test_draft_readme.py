"""Every command of the README's "Drafting reports" block runs on the demo database, with every option shown."""

from __future__ import annotations

import re
import shlex
import shutil

import docx
from typer.testing import CliRunner

from commstats.cli import app
from commstats.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def drafting_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Drafting reports\n")
    section = text[start : text.index("\n## ", start + 1)]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "the Drafting reports section has a bash block"
    commands = []
    for line in block.group(1).splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line:
            tokens = shlex.split(line.replace("[", "").replace("]", ""))
            assert tokens[:3] == ["python", "-m", "commstats"], line
            commands.append(["travinh-demo" if t == "CODE" else t for t in tokens[3:]])
    return commands


def test_readme_drafting_commands_run(demo_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ke-hoach-2019.csv").write_text("year,metric,value\n2019,portal_drafts,90\n", encoding="utf-8")
    shutil.copy(PROJECT_ROOT / "data" / "templates" / "vi.yaml", tmp_path / "my-office.yaml")
    office = docx.Document()
    office.add_paragraph("{{ title }} {{ subtitle }}")
    office.save(tmp_path / "mau-bao-cao.docx")
    commands = drafting_commands()
    assert {c[0] for c in commands} == {"draft", "targets"} and len(commands) == 10
    outputs = {}
    for command in commands:
        result = CliRunner().invoke(app, [*command, "--db", demo_url], catch_exceptions=False)
        assert result.exit_code == 0, (command, result.output)
        outputs[" ".join(command)] = result.output
    claimed = (
        "Về hoạt động của 43 Trang tin thành phần (trong đó có 03 trang hoạt động riêng): tổng số tin đã đăng 488 tin."
    )
    assert claimed in README.read_text(encoding="utf-8")
    assert f"- {claimed}" in outputs["draft --period 2019-07"]
    assert (tmp_path / "bao-cao-2019.docx").stat().st_size > 0
    assert (tmp_path / "bao-cao-2019-07.pdf").read_bytes().startswith(b"%PDF")
    rendered = [p.text for p in docx.Document(tmp_path / "bc.docx").paragraphs]
    assert rendered == ["BÁO CÁO Kết quả công tác tháng 7 năm 2019 và phương hướng, nhiệm vụ tháng 8 năm 2019"]
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("# Report figures for July 2019")
    assert "hợp lệ (chạy thử)" in outputs["targets import ke-hoach-2019.csv --unit travinh-demo --dry-run"]
