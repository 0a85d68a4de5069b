"""The README keeps its promises: its outputs are what the service and the CLI really answer, its
example data really validates, and CI runs exactly its test command."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from knooppunt.graph.writes import ingest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    """The fenced code blocks of one language, without their indentation."""
    found = re.findall(rf"^( *)```{language}\n(.*?)^\1```", README, flags=re.S | re.M)
    return [re.sub(rf"^{indent}", "", body, flags=re.M) for indent, body in found]


def test_fresh_machine_commands_and_ci():
    serve, test = blocks("sh")[:2]
    assert serve.strip() == "sh .ci/system-packages serve && python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/knooppunt serve"
    assert test.startswith("sh .ci/system-packages test && ") and "ruff check ." in test and "pytest -q" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test.strip() in ci.splitlines()


def test_the_curl_output_is_what_the_api_answers(client):
    command = next(b for b in blocks("sh") if "curl" in b)
    path = re.search(r"http://127\.0\.0\.1:8000(/api/[^']+)'", command).group(1)
    assert client.get(path).json() == json.loads(blocks("json")[0])


def test_the_sparql_output_is_what_the_cli_answers():
    command = next(b for b in blocks("sh") if "knooppunt query" in b)
    query = re.search(r"query '(.*)'", command).group(1)
    env = os.environ | {"KNOOPPUNT_STORE": "memory"}
    out = subprocess.run([sys.executable, "-m", "knooppunt.service.cli", "query", query], env=env,
                         capture_output=True, text=True, check=True, timeout=300).stdout
    assert out.splitlines() == blocks("text")[0].splitlines()


@pytest.mark.parametrize("language,media", [("turtle", "text/turtle"), ("csv", "text/csv")])
def test_the_example_data_passes_the_validated_write_path(store_factory, language, media):
    store = store_factory("memory")
    example = blocks(language)[0].encode()
    result = ingest.import_document(store, example, media, store.graph("voorbeeld"), agent="readme", scope="editor")
    assert result.added >= 5 and not [w for w in result.warnings if w.severity == "Violation"]


def test_the_screenshot_is_there():
    assert "](docs/screenshot.png)" in README
    png = (ROOT / "docs" / "screenshot.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1280, 800)


def test_the_suite_needs_nothing_outside_the_checkout():
    """A fresh clone passes on its own (checked by hand: ``git clone . /tmp/k && cd /tmp/k &&
    CI=true bash .ci/run``); this guards the cheap part: no test names a path outside the
    repository, and the W3C manifests the suite runs are in it, with their licence."""
    # the patterns are assembled so that this guard does not name such a path itself
    beside, machine = re.escape(os.pardir + "/") + "shared", re.escape("/" + "work" + "/")
    outside = re.compile("|".join((beside, machine, r"Path\.home\(\)", r"expanduser\(")))
    for path in (ROOT / "tests").glob("*.py"):
        if path.name != Path(__file__).name:
            assert not outside.search(path.read_text(encoding="utf-8")), path
    w3c = ROOT / "tests" / "w3c"
    assert len(list(w3c.rglob("manifest.ttl"))) >= 2 and "W3C" in (w3c / "LICENSE.md").read_text(encoding="utf-8")
