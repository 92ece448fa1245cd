"""Unit: every message the code marks is in the Spanish catalog, translated, with the
same placeholders, and the shipped .mo is compiled from the .po.

Extraction runs Babel over the source tree as ``babel.cfg`` says (under a second),
so a new ``_("…")`` in Python or ``t("…")`` in the dashboard's script that nobody
translated fails here. Fix with ``python -m border21.i18n.catalog update``, then
translate the new entries in ``src/border21/locale/es/LC_MESSAGES/border21.po``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("babel")

from border21.i18n import catalog  # noqa: E402

ROOT = catalog.repo_root()
pytestmark = pytest.mark.skipif(
    not (ROOT / "babel.cfg").exists(), reason="needs the source tree (babel.cfg)"
)


def test_every_message_is_translated() -> None:
    problems = catalog.check()
    assert not problems, "\n".join(problems)


def test_every_dashboard_message_is_extracted() -> None:
    """Babel's JavaScript extractor skips some calls (one nested in another's arguments):
    every literal ``t("…")`` in the script must reach the catalog all the same."""
    script = (ROOT / "src/border21/service/static/app.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", script, flags=re.S)
    used = set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', code))
    known = {str(m.id) for m in catalog.read("es") if m.id}
    assert len(used) > 100
    assert used <= known, sorted(used - known)


def _copy_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    po = tmp_path / "es" / "LC_MESSAGES" / "border21.po"
    po.parent.mkdir(parents=True)
    shutil.copy(catalog.po_path("es"), po)
    shutil.copy(catalog.po_path("es").with_suffix(".mo"), po.with_suffix(".mo"))
    monkeypatch.setattr(catalog, "po_path", lambda lang: tmp_path / lang / po.relative_to(
        tmp_path / "es"))  # fmt: skip
    return po


def test_check_finds_an_untranslated_and_a_stale_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = _copy_catalog(tmp_path, monkeypatch)
    assert catalog.check() == []
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "Casetas con personal"', 'msgstr ""')
    text = text.replace('msgstr "{rank} de {of}"', 'msgstr "{rank} de {total}"')
    po.write_text(text, encoding="utf-8")
    found = "\n".join(catalog.check())
    assert "not translated: 'Staffed booths'" in found
    assert "placeholders differ: '{rank} of {of}'" in found
    assert "border21.mo is not compiled from the .po" in found


def test_check_finds_a_message_missing_from_the_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = _copy_catalog(tmp_path, monkeypatch)
    text = po.read_text(encoding="utf-8")
    entry = 'msgid "Staffed booths"\nmsgstr "Casetas con personal"\n\n'
    assert entry in text
    po.write_text(text.replace(entry, ""), encoding="utf-8")
    found = "\n".join(catalog.check())
    assert "not in the catalog (run update): 'Staffed booths'" in found
