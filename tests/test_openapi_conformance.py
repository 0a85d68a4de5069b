"""The OpenAPI document tells the truth (issue 17.9): schemathesis drives every operation of a
live server from ``/openapi.json`` and checks every answer against it (no 5xx; every status code,
media type and body declared; schema-valid requests accepted, see ``schemathesis.toml`` for the
operations whose request language JSON Schema cannot state). Bounded for CI: a fixed seed and a
small number of examples per operation; no write token, so writes are exercised up to their 401.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from knooppunt.service.app import create_app

HERE = Path(__file__).resolve().parent


def test_schemathesis_finds_no_server_error_and_no_conformance_failure(store, start_live_server):
    server = start_live_server(create_app(store=store))
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    done = subprocess.run(
        [st, "--no-color", "--config-file", str(HERE / "schemathesis.toml"), "run", server.url + "/openapi.json",
         "--max-examples", "10", "--seed", "1", "--workers", "1", "--request-timeout", "30"],
        capture_output=True, text=True, timeout=600,
    )
    summary = done.stdout[-4000:]
    assert done.returncode == 0, summary
    assert " passed" in summary and "failure" not in summary.split("SUMMARY")[-1], summary
