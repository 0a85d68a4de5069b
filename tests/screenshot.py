"""Take the README's screenshot (``docs/screenshot.png``): the home page with search suggestions.

Run ``.venv/bin/python tests/screenshot.py`` after changing the pages and commit the picture. It
drives Debian's chromium through Playwright against a real server on the seed data in memory,
as ``tests/test_browser.py`` does (not collected by pytest: no ``test_`` prefix).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "docs" / "screenshot.png"


def main() -> int:
    sys.path.insert(0, str(HERE))
    from conftest import BROWSER_ARGS, LiveServer, chromium_path, memory_settings
    from knooppunt.graph.store import open_store
    from knooppunt.service.app import create_app
    from playwright.sync_api import sync_playwright
    from test_browser import DESKTOP

    server = LiveServer(create_app(store=open_store(memory_settings()))).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
            page = browser.new_page(viewport=DESKTOP, locale="nl-NL")
            page.goto(server.url + "/")
            page.get_by_role("combobox").fill("proactieve")
            page.get_by_role("option").first.wait_for()
            page.screenshot(path=str(OUT))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
