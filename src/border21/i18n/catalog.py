"""Maintain the catalogs with Babel: extract, update, compile, check.

A developer tool (Babel is imported here only, never by the running program):

    python -m border21.i18n.catalog update   # extract, merge into each .po, compile the .mo
    python -m border21.i18n.catalog check    # what tests/unit/test_i18n_catalog.py asserts

Extraction follows ``babel.cfg`` at the repository root (Python ``_``/``N_``, the
dashboard's ``t``). Placeholders are ``{name}``, so Babel's ``python-format``
flag (set on any message with a ``%``) is dropped: it would make the compiler
check ``%`` signs that are plain text.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from border21.i18n import DEFAULT, DOMAIN, LANGUAGES, locale_dir

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

KEYWORDS = {
    "_": None,
    "N_": None,
    "t": None,
    "Message": None,  # border21.i18n.message: core's words, translated where shown
}  # `t` is the dashboard's; never name a Python variable `t`
# (on Python 3.12+ Babel reads `t["x"]` inside an f-string as a message)
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != DEFAULT)


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def extract(root: Path | None = None) -> Catalog:
    """Every message the code marks, as a template catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = root or repo_root()
    with (root / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    template = Catalog(project="border21", copyright_holder="border21 developers", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            message = message[0]
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for msg in template:
        msg.flags.discard("python-format")
    return template


def po_path(lang: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def compiled(catalog: Catalog) -> bytes:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def update(root: Path | None = None) -> None:
    """Extract, merge into every language's .po (new messages empty), compile each .mo."""
    from babel.messages.pofile import write_po

    template = extract(root)
    with (locale_dir() / f"{DOMAIN}.pot").open("wb") as f:
        write_po(f, template, width=100, sort_output=True, omit_header=True, no_location=True)
    for lang in TRANSLATED:
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for msg in catalog:
            msg.flags.discard("python-format")
        with po_path(lang).open("wb") as f:
            write_po(f, catalog, width=100, sort_output=True, no_location=True)
        po_path(lang).with_suffix(".mo").write_bytes(compiled(read(lang)))


def check(root: Path | None = None) -> list[str]:
    """Every problem with the catalogs; empty when each message is translated."""
    problems = []
    used = {m.id for m in extract(root) if m.id}
    for lang in TRANSLATED:
        catalog = read(lang)
        known = {m.id for m in catalog if m.id}
        problems += [
            f"{lang}: not in the catalog (run update): {m!r}" for m in sorted(used - known)
        ]
        problems += [f"{lang}: no longer used: {m!r}" for m in sorted(known - used)]
        for msg in catalog:
            if msg.id and (not msg.string or msg.fuzzy):
                problems.append(
                    f"{lang}: not translated{' (fuzzy)' if msg.fuzzy else ''}: {msg.id!r}"
                )
            elif msg.id and _placeholders(str(msg.id)) != _placeholders(str(msg.string)):
                problems.append(f"{lang}: placeholders differ: {msg.id!r} → {msg.string!r}")
        mo = po_path(lang).with_suffix(".mo")
        wanted = {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}
        if not mo.exists() or _mo_messages(mo) != wanted:
            problems.append(f"{lang}: {mo.name} is not compiled from the .po (run update)")
    return problems


def _mo_messages(path: Path) -> dict[str, str]:
    import gettext

    with path.open("rb") as f:
        table: dict[str, str] = getattr(gettext.GNUTranslations(f), "_catalog", {})
    return {k: v for k, v in table.items() if isinstance(k, str) and k}


def _placeholders(text: str) -> set[str]:
    import re

    return set(re.findall(r"\{(\w*)\}", text))


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        problems = check()
        print("\n".join(problems) or "every message is translated")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
