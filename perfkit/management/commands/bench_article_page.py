"""Time the article page with 10 and 1,000 claims: on the server, and in Chromium.

Everything happens in a throwaway test database (in memory for SQLite,
``<name>_bench`` for PostgreSQL), which the command creates and destroys: the
real data is never touched.
"""

import re
import statistics
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.test import Client
from django.test.testcases import LiveServerThread
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

from annotations import services
from annotations.models import Article, Claim, Speaker, Verdict
from perfkit.chromium import CHROMIUM, CHROMIUM_ARGS

# The seed article, eight times over: about 18,000 characters in 112 paragraphs,
# so 1,000 claims are about nine a paragraph, many of them overlapping.
REPEAT = 8

# What the browser reports, in milliseconds since the navigation started; the
# page's script marks when it starts and when it has drawn the highlights.
TIMINGS_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const drawn = performance.getEntriesByName("desk:highlights-drawn")[0];
  const draw = performance.getEntriesByName("desk:draw")[0];
  const script = performance.getEntriesByName("desk:start")[0];
  return {
    ttfb: nav.responseStart - nav.requestStart,
    html: nav.responseEnd - nav.requestStart,
    script: script.startTime,
    parsed: nav.domInteractive,
    drawn: drawn.startTime,
    draw: draw.duration,
    marks: document.querySelectorAll("mark.hl").length,
  };
}"""


class Command(BaseCommand):
    help = (
        "Print the article page's server time and query count with 10 and with 1,000 "
        "claims, and the time until Chromium has drawn the highlights. Uses a throwaway "
        "test database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--claims", type=int, nargs="+", default=[10, 1000], help="Claim counts to time."
        )
        parser.add_argument("--runs", type=int, default=7, help="Timed loads of each page.")
        parser.add_argument(
            "--no-browser", action="store_true", help="Time only the server, without Chromium."
        )

    def handle(
        self, *args: Any, claims: list[int], runs: int, no_browser: bool, **opts: Any
    ) -> None:
        browser = not no_browser
        if browser and not CHROMIUM.exists():
            raise CommandError(
                f"{CHROMIUM} is missing (apt-get install chromium), or pass --no-browser."
            )
        setup_test_environment()
        old_name = connection.settings_dict["NAME"]
        if connection.vendor != "sqlite":
            connection.settings_dict["TEST"]["NAME"] = f"{old_name}_bench"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            user, articles = self._make_data(claims)
            text = next(iter(articles.values())).text
            self.stdout.write(
                f"Database: {connection.vendor}. Article: {len(text):,} characters, "
                f"{text.count(chr(10)) + 1} paragraphs. Median of {runs} loads.\n"
            )
            server = {
                count: self._time_server(user, article, runs) for count, article in articles.items()
            }
            for count, (median, fastest, queries, size) in server.items():
                self.stdout.write(
                    f"server   {count:>5} claims: {median:6.1f} ms (fastest {fastest:.1f} ms), "
                    f"{queries} queries, {size / 1024:.0f} KiB of HTML"
                )
            if browser:
                for count, t in self._time_browser(user, articles, runs).items():
                    self.stdout.write(
                        f"browser  {count:>5} claims: first byte {t['ttfb']:5.1f} ms, "
                        f"HTML in {t['html']:5.1f} ms, parsed {t['parsed']:6.1f} ms, "
                        f"script starts {t['script']:6.1f} ms, "
                        f"highlights drawn {t['drawn']:6.1f} ms "
                        f"(drawing {t['draw']:.1f} ms, {t['marks']:.0f} marks)"
                    )
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _make_data(self, counts: list[int]) -> tuple[User, dict[int, Article]]:
        call_command("loaddata", "homs_article", verbosity=0)
        seed = Article.objects.get()
        speakers: list[Speaker | None] = [*Speaker.objects.order_by("pk"), None]
        user = User.objects.create(username="bench-reviewer")
        user.groups.add(Group.objects.get(name="Reviewers"))
        articles = {}
        for count in counts:
            # Each article's text must differ: add the count as a last paragraph.
            text = "\n".join([seed.text] * REPEAT) + f"\nBench article with {count} claims."
            article = services.article_create(user=None, text=text, title=f"Bench: {count} claims")
            self._bulk_claims(article, user, count, speakers)
            articles[count] = article
        return user, articles

    def _bulk_claims(
        self, article: Article, user: User, count: int, speakers: list[Speaker | None]
    ) -> None:
        """Make claims fast: spans of one to four words spread over the text, some nested."""
        text = article.text
        spans = [m.span() for m in re.finditer(r"\w+(?:\W+\w+){0,3}", text)]
        step = max(1, len(spans) // count)
        rows = []
        for i in range(count):
            start, end = spans[(i * step + i // len(spans)) % len(spans)]
            end = min(len(text), end + (i % 4) * 7)  # some run on over the next span
            speaker = speakers[i % len(speakers)]
            status = [Claim.Status.DRAFT, Claim.Status.IN_REVIEW, Claim.Status.REJECTED][i % 3]
            rows.append(
                Claim(
                    article=article,
                    start=start,
                    end=end,
                    quote=text[start:end],
                    prefix=text[max(0, start - 32) : start],
                    suffix=text[end : end + 32],
                    speaker=speaker,
                    attribution=Claim.Attribution.REPORTED_SPEECH if speaker else "author",
                    kind=Claim.Kind.values[i % len(Claim.Kind.values)],
                    status=status,
                    rejection_reason="Not checkable." if status == Claim.Status.REJECTED else "",
                    restatement=f"Bench claim {i}",
                    created_by=user,
                    verdict_count=int(i % 4 == 0),  # the verdicts made below
                )
            )
        made = Claim.objects.bulk_create(rows)
        Verdict.objects.bulk_create(
            Verdict(claim=c, reviewer=user, rating="mixed", rationale="Bench.") for c in made[::4]
        )

    def _time_server(
        self, user: User, article: Article, runs: int
    ) -> tuple[float, float, int, int]:
        client = Client()
        client.force_login(user)
        url = reverse("article_detail", args=[article.pk])
        client.get(url)  # warm up: templates, the session, the permission cache
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code  # noqa: S101
        return statistics.median(times), min(times), len(queries), len(response.content)

    def _time_browser(
        self, user: User, articles: dict[int, Article], runs: int
    ) -> dict[int, dict[str, float]]:
        from playwright.sync_api import sync_playwright

        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        # An in-memory SQLite database lives in this thread's connection: share it.
        shared = {
            c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()
        }
        for conn in shared.values():
            conn.inc_thread_sharing()
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, shared, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        base = f"http://127.0.0.1:{server.port}"
        results: dict[int, dict[str, float]] = {}
        try:
            # No database work from here on in this thread: playwright runs an event loop.
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
                )
                context = chromium.new_context(viewport={"width": 1366, "height": 860})
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
                )
                page = context.new_page()
                for count, article in articles.items():
                    url = f"{base}{reverse('article_detail', args=[article.pk])}"
                    page.goto(url)  # warm up the browser's cache of the static files
                    samples = []
                    for _ in range(runs):
                        page.goto(url)
                        page.wait_for_selector("#desk[data-ready=true]", state="attached")
                        samples.append(page.evaluate(TIMINGS_JS))
                    results[count] = {
                        key: statistics.median(s[key] for s in samples) for key in samples[0]
                    }
                chromium.close()
        finally:
            server.terminate()
            server.join()
            for conn in shared.values():
                conn.dec_thread_sharing()
        return results
