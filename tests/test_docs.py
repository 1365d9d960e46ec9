"""The README and the docs name only files that exist: every relative link and every path of
the repository's folders they quote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGES = [Path("README.md"), *sorted(Path("docs").glob("*.md")), Path("models/README.md")]
FOLDERS = ("configs/", "docs/", "models/", "videos/", "results/", "examples/", "tests/", "lbw/", "envs/")


def _named_paths(page: Path) -> set[tuple[str, Path]]:
    text = page.read_text()
    named = set()
    for link in re.findall(r"\]\(([^)#\s]+)", text):  # markdown links and images
        if not re.match(r"[a-z]+://", link):
            named.add((link, (page.parent / link)))
    for quoted in re.findall(r"`([^`\s]+)`", text):  # quoted paths of the repository's folders
        path = quoted.rstrip(".,:;")
        if path.startswith(FOLDERS) and not re.search(r"[A-Z]{3,}|[<>*{}…|=]|\.\.\.", path):
            named.add((path, Path(path)))
    return named


@pytest.mark.parametrize("page", PAGES, ids=[str(p) for p in PAGES])
def test_every_named_path_exists(page: Path) -> None:
    missing = sorted(name for name, path in _named_paths(page) if not path.exists())
    assert not missing, f"{page} names paths that do not exist: {missing}"
