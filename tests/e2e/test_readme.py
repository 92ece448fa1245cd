"""The README's quickstart really runs (in a scratch directory and database)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _quickstart() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None, "README quickstart has no bash block"
    lines = [ln.split("  #", 1)[0].strip() for ln in block.group(1).splitlines()]
    return [ln for ln in lines if ln]


def test_readme_has_two_fresh_machine_commands_and_short_quickstart():
    text = README.read_text(encoding="utf-8")
    fresh = text.split("## Fresh machine", 1)[1].split("## Quickstart", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", fresh, re.S)
    assert commands == [
        "pip install . && border21 demo",
        'pip install -e ".[test]" && python -m pytest -n 2 -q',
    ]
    assert len(_quickstart()) <= 15


@pytest.mark.parametrize("line", _quickstart())
def test_quickstart_line_runs(line: str, tmp_path: Path):
    env = {**os.environ, "BORDER21_DB": str(tmp_path / "w.duckdb"), "COLUMNS": "120"}
    done = subprocess.run(
        ["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr


def test_python_quickstart_runs_as_a_doctest() -> None:
    import doctest

    text = README.read_text(encoding="utf-8")
    section = text.split("## Python quickstart", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None, "README has no Python quickstart block"
    assert len(block.group(1).splitlines()) <= 15
    test = doctest.DocTestParser().get_doctest(block.group(1), {}, "README", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 5


def _commands(lines: list[str]) -> list[str]:
    """Lines without their comments (bash's: a `#` after a space)."""
    return [re.split(r"\s#", ln, maxsplit=1)[0].strip() for ln in lines if ln.strip()]


def test_spanish_quickstart_has_the_same_commands() -> None:
    """The Spanish section repeats the two fresh-machine commands and the quickstart's
    commands (only the comments are translated), so it runs as the English one does."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Inicio rápido (español)", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert [b.strip() for b in blocks[:2]] == [
        "pip install . && border21 demo",
        'pip install -e ".[test]" && python -m pytest -n 2 -q',
    ]
    assert _commands(blocks[2].splitlines()) == _commands(_quickstart())
    assert "BORDER21_LANG=es border21 demo" in blocks[3]
