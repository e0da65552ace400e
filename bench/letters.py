"""27 letters as one batch beside WeasyPrint rendering the same 27 HTML documents alone, and the digest PDF
on the large dataset. Each time is the median of BENCH_LETTERS_RUNS runs; each peak is Python's heap
(tracemalloc) during one more run.

The floor: the 27 invitations composed once, then only `weasyprint.HTML(...).write_pdf()` for each, with
the same fonts and stylesheets read from disk once for the 27. The batch: `issue_letters` for the 27 countries, everything a person's
click does (compose, take 27 reference numbers, render, count pages, store each PDF with its SHA-256,
log it) and the commit.

`python -m bench.letters` runs it on the bench SQLite file; `make bench` includes it."""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

RUNS = int(os.environ.get("BENCH_LETTERS_RUNS", "3"))


def _median(function: Callable[[], Any], runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _peak_mb(function: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        function()
        return round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
    finally:
        tracemalloc.stop()


def bench_letters(app) -> dict[str, Any]:
    """The batch of 27 and its floor, then the digest on the large dataset."""
    from weasyprint import HTML

    from tracker.core.pdf import PDF_BASE_URL, CachingStaticFetcher, StaticOnlyFetcher
    from tracker.countries.models import Campaign, MemberState
    from tracker.demo.services import load_large
    from tracker.digests.services import build_digest, collect, digest_html
    from tracker.extensions import db
    from tracker.letters.services import compose, issue_letters, letter_html

    results: dict[str, Any] = {}
    with app.app_context(), app.test_request_context():
        load_large()
        db.session.commit()
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == "twinit-2"))
        states = list(db.session.scalars(sa.select(MemberState).order_by(MemberState.protocol_order)))
        documents = [letter_html(compose("invitation", campaign, state, reference="CNECT.G2/TWIN-IT/2026/0000"))
                     for state in states]

        def weasyprint_alone() -> None:
            fetcher = CachingStaticFetcher(app.static_folder)  # fonts and stylesheets read from disk once
            for html in documents:
                HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf()

        def batch() -> None:
            issue_letters("invitation", campaign, states, selection="all", by="bench")
            db.session.commit()

        weasyprint_alone()  # warm-up: imports, fontconfig
        floor_s = _median(weasyprint_alone)
        batch_s = _median(batch)
        results.update(
            letters=len(documents), weasyprint_alone_s=round(floor_s, 2), batch_s=round(batch_s, 2),
            batch_over_floor=round(batch_s / floor_s, 2), per_letter_ms=round(batch_s / len(documents) * 1000),
            weasyprint_alone_peak_mb=_peak_mb(weasyprint_alone), batch_peak_mb=_peak_mb(batch),
        )

        collect_s = _median(lambda: collect(campaign))
        data = collect(campaign)
        render_s = _median(lambda: HTML(string=digest_html(data), base_url=PDF_BASE_URL,
                                        url_fetcher=StaticOnlyFetcher(app.static_folder)).write_pdf())

        def digest() -> None:
            build_digest(campaign, by="bench")
            db.session.commit()

        digest_s = _median(digest)
        results.update(digest_collect_s=round(collect_s, 2), digest_render_s=round(render_s, 2),
                       digest_build_s=round(digest_s, 2), digest_peak_mb=_peak_mb(digest))
    return results


def print_rows(results: dict[str, Any]) -> None:
    """The letters' and digest's figures as lines of the bench table."""
    letters = results.get("letters")
    if not letters:
        return
    print(f"27 letters: batch {letters['batch_s']} s ({letters['per_letter_ms']} ms a letter), "
          f"WeasyPrint alone {letters['weasyprint_alone_s']} s, ratio {letters['batch_over_floor']}; "
          f"peak {letters['batch_peak_mb']} MB vs {letters['weasyprint_alone_peak_mb']} MB")
    print(f"digest on the large dataset: build {letters['digest_build_s']} s (figures {letters['digest_collect_s']} s, "
          f"PDF {letters['digest_render_s']} s), peak {letters['digest_peak_mb']} MB")


def main() -> None:
    """Run on the bench SQLite file and print."""
    from bench.kill_test import bench_app

    app = bench_app()
    print_rows({"letters": bench_letters(app)})


if __name__ == "__main__":
    main()
