"""The Chromium that bench_article_page and the browser tests drive, and how it is started.

Debian's Chromium, never a browser playwright downloads. Standard library only,
so the browser tests can import it without the development requirements and
whether or not FACTCHECK_DEV_TOOLS installs the app.
"""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
