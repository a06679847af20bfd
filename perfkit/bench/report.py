"""The benchmark's document as a table for people, each figure beside its target."""

from typing import Any

from ..server import workers_in_words
from .parameters import MB, TARGETS_FOR


def _mb(value: int) -> str:
    return f"{value / MB:,.1f} MB"


def _corpus_size(counts: dict[str, int]) -> str:
    return (
        f"{counts['articles']:,} articles, {counts['claims']:,} claims "
        f"({counts['verified']:,} verified)"
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _mark(met: bool | None) -> str:
    return {True: "✓", False: "✗", None: "–"}[met]


def _public_lines(public: dict[str, Any] | None) -> list[str]:
    if public is None:
        return ["Public page: no verified claim to read."]
    runs = (
        ("direct (200, rendered)", public["direct"]),
        ("If-None-Match (304)", public["not_modified"]),
        ("through nginx proxy_cache", public["through_cache"]),
    )
    first = public["direct"]
    lines = [
        f"Public page of one check, anonymous readers ({first['clients']} client processes, "
        f"{first['seconds']:g} s a run; {public['bytes'] / 1024:,.1f} KiB; "
        f"{public['cache_control']}):"
    ]
    for label, figures in runs:
        if figures is None:
            lines.append(f"  {label:<28} skipped: {public.get('through_cache_skipped', '')}")
            continue
        hits = f", {figures['cache_hits']:,} cache hits" if "cache_hits" in figures else ""
        cost = (
            f"; in the server: median {figures['server_app_ms_median']:.2f} ms, "
            f"{figures['queries']} {'query' if figures['queries'] == 1 else 'queries'}"
            if "server_app_ms_median" in figures
            else ""
        )
        lines.append(
            f"  {label:<28}{figures['requests_per_second']:>10,.0f} requests/s "
            f"({figures['requests']:,} requests{hits}{cost})"
        )
    return lines


def render_table(document: dict[str, Any]) -> str:
    """Return the document as a table to read, each figure beside its target."""
    machine, p, built = document["machine"], document["parameters"], document["corpus"]
    server = document["server"]
    targets = {t["key"]: t for t in document["targets"]}

    def target(key: str) -> str:
        t = targets[key]
        if t["relation"] == "==":
            return f"{_mark(t['met'])} target: the same"
        relation = {"<=": "≤", ">=": "≥"}.get(t["relation"], t["relation"])
        return f"{_mark(t['met'])} target {relation} {t['limit']:,} {t['unit']}"

    create, listing, page = document["create"], document["list"], document["page"]
    database = machine["database"]
    lines = [
        f"Benchmark on {database['vendor']} {database['version']}, {machine['cores']} cores, "
        f"{machine['memory_bytes'] / 2**30:.1f} GB, Python {machine['python']}, "
        f"Django {machine['django']}; gunicorn with "
        f"{workers_in_words(server['workers'], server['threads'], server['worker_class'])} "
        "on 127.0.0.1.",
        f"Corpus: {_corpus_size(built['final'])}, {built['final']['sources']:,} sources, "
        f"{built['final']['verdicts']:,} verdicts; seed {p['seed']}, articles of about "
        f"{p['words']:,} words; built in {built['build_seconds']:,.1f} s "
        f"({built['method']}; {len(built['invariants_checked'])} invariants checked after "
        "each step, none broken).",
        "",
        f"Creating {create['requests']:,} claims, one POST /api/claims/ at a time, on an article "
        f"of {create['article']['words']:,} words (corpus: {_corpus_size(create['corpus'])}):",
        f"  median {create['median_ms']:8.2f} ms   {target('create_median_ms')}",
        f"  p95    {create['p95_ms']:8.2f} ms",
        f"  max    {create['max_ms']:8.2f} ms",
        f"  {create['requests_per_second']:,.0f} requests/s; in the server: median "
        f"{create['server_app_ms_median']:.2f} ms, {create['queries_median']} queries",
        f"Listing them (GET /api/claims/?article=…, page_size {listing['page_size']}): "
        f"{listing['items']:,} items in {_count(listing['pages'], 'page')}, "
        f"{listing['ms']:.1f} ms   {target('list_ms')}",
        f"  in the server: {listing['server_app_ms']:.1f} ms, {listing['queries']} queries",
        f"Article page, median of {page['large']['loads']} loads:",
        f"  {page['large']['claims']:>6,} claims: {page['large']['server_app_ms_median']:7.1f} ms "
        f"in the server, {page['large']['queries']} queries, "
        f"{page['large']['bytes'] / 1024:,.0f} KiB   {target('page_server_ms')}",
        f"  {page['small']['claims']:>6,} claims: {page['small']['server_app_ms_median']:7.1f} ms "
        f"in the server, {page['small']['queries']} queries   {target('page_queries_constant')}",
        *_public_lines(document.get("public_page")),
        "",
        "Exports of the verified claims (a fresh server for each size; memory: the largest "
        "worker's resident set):",
        f"  {'verified':>9}  {'format':<12}{'seconds':>9}{'claims/s':>10}{'bytes':>14}"
        f"{'RSS before':>12}{'RSS peak':>12}",
    ]
    for measured in document["exports"]:
        for name, figures in measured["formats"].items():
            lines.append(
                f"  {measured['verified_claims']:>9,}  {name:<12}{figures['seconds']:>9.2f}"
                f"{figures['claims_per_second']:>10,}{figures['bytes']:>14,}"
                f"{_mb(figures['rss_baseline_bytes']):>12}{_mb(figures['rss_peak_bytes']):>12}"
            )
        lines.append(f"    (corpus: {_corpus_size(measured['corpus'])})")
    growth = document["export_memory_growth"]
    if growth:
        lines.append(
            f"  Peak memory growth from {growth['from_verified_claims']:,} to "
            f"{growth['to_verified_claims']:,} verified claims: "
            + ", ".join(f"{name} {_mb(value)}" for name, value in growth["bytes"].items())
        )
    lines += ["", f"Targets (set for {TARGETS_FOR}):"]
    for t in document["targets"]:
        figure = t["figure"]
        shown = (
            "n/a"
            if figure is None
            else (
                ("yes" if figure else "no")
                if isinstance(figure, bool)
                else f"{figure:,} {t['unit']}"
            )
        )
        lines.append(f"  {_mark(t['met'])} {t['label']}: {shown}")
    return "\n".join(lines)
