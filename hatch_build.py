"""Build hook: install the checkout's ``graph/`` and ``service/`` as one package, ``knooppunt``.

The repository keeps ``graph/`` and ``service/`` at the top; the wheel maps them to
``knooppunt.graph`` and ``knooppunt.service`` (``sources`` in pyproject.toml), so nothing but
``knooppunt`` lands in site-packages. This hook writes the ``knooppunt/__init__.py`` that both need:

- a regular wheel gets a small package module (docstring and ``__version__``);
- an editable install (``pip install -e .``) gets one whose ``__path__`` is the checkout, so
  ``knooppunt.graph`` *is* ``./graph``. Hatchling's own editable modes cannot map a prefix
  (``graph`` -> ``knooppunt/graph``), hence ``dev-mode-dirs`` in pyproject.toml, which only selects
  the explicit editable mode and points at a directory without Python modules.
"""

from __future__ import annotations

import os
import tempfile

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DOC = '"""Knooppunt: a knowledge graph of Dutch palliative-care education (graph: library; service: HTTP and CLI)."""\n'


class KnooppuntPackage(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        self._dir = tempfile.mkdtemp(prefix="knooppunt-build-")
        init = os.path.join(self._dir, "__init__.py")
        with open(init, "w", encoding="utf-8") as out:
            out.write(DOC)
            if version == "editable":
                out.write(f"__path__ = [{self.root!r}]  # the checkout: knooppunt.graph is ./graph\n")
            out.write("from .graph import __version__  # noqa: E402,F401\n")
        key = "force_include_editable" if version == "editable" else "force_include"
        build_data[key][init] = "knooppunt/__init__.py"
