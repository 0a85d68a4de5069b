"""Where the ontology, shapes and seed data live, in a checkout and in an installed wheel.

The wheel carries them under ``graph/_data`` (see ``pyproject.toml``); a checkout or an editable
install has them at the repository root. Both must work, so a plain ``pip install .`` gives a
``knooppunt`` command that finds its data.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ directory next to the graph package")


def ontology_dir() -> Path:
    return _find("ontology")


def shapes_dir() -> Path:
    return _find("shapes")


def data_dir() -> Path:
    return _find("data")


def turtle_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.ttl") if p.is_file())
