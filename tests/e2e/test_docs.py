"""Executable docs: every ``>>>`` example in docs/*.md runs (as SimPy's docs/conftest.py)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = [
    (path, n, block)
    for path in sorted(DOCS.rglob("*.md"))
    for n, block in enumerate(re.findall(r"```python\n(.*?)```", path.read_text("utf-8"), re.S))
    if ">>>" in block
]


def test_the_docs_have_examples() -> None:
    assert any(path.name == "ports.md" for path, _, _ in EXAMPLES)


@pytest.mark.parametrize(
    ("path", "n", "block"), EXAMPLES, ids=[f"{p.name}#{n}" for p, n, _ in EXAMPLES]
)
def test_doc_example_runs(path: Path, n: int, block: str) -> None:
    test = doctest.DocTestParser().get_doctest(block, {}, f"{path.name}#{n}", str(path), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0
