"""MARAC meeting pack benchmark: render time and peak memory of a 20-case pack.

`python -m benchmarks.pack [--cases 20] [--repeats 3]` against the dev database (var/stack.env,
as benchmarks/run.py). Its data is throwaway: a meeting of 20 listed cases, each with a
referral, an assessment with risk factors, research by two agencies and two open actions, is
made through the real services inside one transaction that is rolled back at the end, so
nothing is left behind (files included: the stored-copy step writes to a temporary folder).

Measured in process (no worker, no HTTP):
- render: `marac.pdf.render_meeting_pack_pdf` for the coordinator's full copy (selectors,
  template and WeasyPrint), wall time, median and max of `--repeats` runs, and its SQL queries;
- partner copy: the same for an invited agency's copy;
- generate: `marac.services.documents.document_generate` (render, checksum, store, row);
- memory: tracemalloc peak of one render (Python allocations, run separately because
  tracemalloc slows the code it traces), and the process's peak RSS (ru_maxrss) before and
  after the renders.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc

from benchmarks import targets
from benchmarks.setup import setup_django

TARGET_SECONDS = targets.PACK_S


class _Rollback(Exception):
    """Raised to roll the throwaway data back."""


def _maxrss_mb() -> float:
    # Linux reports kilobytes.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _make_meeting(cases: int):
    """A Lambeth meeting with `cases` listed cases, built through the services."""
    from datetime import date, timedelta

    from django.utils import timezone

    from marac.services.actions import action_create
    from marac.services.research import research_save
    from marac.services.sharing import meeting_invite
    from marac.tests.factories import (
        coordinator,
        high_assessment,
        idva_partner,
        listed_case,
        meeting,
        social_care_partner,
    )
    from riskassessment.models import Answer, AnswerValue

    coord = coordinator("LAM")
    at = meeting("LAM", starts_at=timezone.now() + timedelta(days=7), max_cases=cases)
    idva, social_care = idva_partner(), social_care_partner()
    for partner in (idva, social_care):
        meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    for n in range(cases):
        assessment = high_assessment(borough_code="LAM")
        first_answers = Answer.objects.filter(assessment=assessment).order_by("question__order")
        Answer.objects.filter(pk__in=list(first_answers.values_list("pk", flat=True)[:8])).update(
            value=AnswerValue.YES
        )
        listing = listed_case(at, coord, assessment=assessment, children_in_household=n % 3)
        for partner, facts in ((idva, "Engaged with the IDVA; safety plan agreed. " * 6),
                               (social_care, "Children known; child in need plan. " * 6)):  # fmt: skip
            research_save(actor=partner, listing=listing, facts=facts, opinion="Risk rising.")
            action_create(actor=coord, listing=listing, subject="victim", agency=partner.agency,
                          owner="Named worker", description=f"Action for case {n + 1}: follow up.",
                          due_date=date.today() + timedelta(days=14))  # fmt: skip
    return at, coord, idva


def _time(fn, repeats: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, size, pages = [], None, 0, 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            pdf = fn()
            times.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)
        size = len(pdf) if isinstance(pdf, bytes) else size
    if size:
        import io

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {
        "median_s": round(statistics.median(times), 2),
        "max_s": round(max(times), 2),
        "queries": queries,
        "bytes": size or None,
        "pages": pages or None,
    }


def _weasyprint_alone(viewer, meeting, repeats: int) -> dict:
    """The pack against WeasyPrint alone on the exact HTML the pack renders (captured from
    marac.pdf's _write_pdf), timed in turns so that both see the same machine; and the part
    before WeasyPrint (selectors and template) on its own. WeasyPrint alone runs as _write_pdf
    runs it (the cycle collector paused): the ratio is what the pack adds around it."""
    from unittest import mock

    from marac import pdf

    captured = []
    with mock.patch.object(pdf, "_write_pdf", side_effect=captured.append):
        before = _time(lambda: pdf.render_meeting_pack_pdf(viewer=viewer, meeting=meeting), repeats)
    html = captured[-1]
    pack, alone = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        pdf.render_meeting_pack_pdf(viewer=viewer, meeting=meeting)
        pack.append(time.perf_counter() - started)
        started = time.perf_counter()
        pdf._write_pdf(html)
        alone.append(time.perf_counter() - started)
    return {
        "html_bytes": len(html.encode()),
        "pack_median_s": round(statistics.median(pack), 2),
        "median_s": round(statistics.median(alone), 2),
        "ratio": round(statistics.median(pack) / statistics.median(alone), 2),
        "selectors_and_template_median_s": before["median_s"],
    }


def bench_pack(*, cases: int = 20, repeats: int = 3) -> dict:
    """Render a `cases`-case pack `repeats` times on throwaway data; return the numbers."""
    setup_django()
    from django.conf import settings
    from django.db import transaction
    from django.test.utils import override_settings

    from marac.pdf import render_meeting_pack_pdf
    from marac.services.documents import document_generate, document_request

    result: dict = {"cases": cases, "repeats": repeats, "target_s": TARGET_SECONDS}
    with tempfile.TemporaryDirectory() as private:
        storages = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": private},
            },
        }
        try:
            with override_settings(STORAGES=storages), transaction.atomic():
                started = time.perf_counter()
                at, coord, partner = _make_meeting(cases)
                result["setup_s"] = round(time.perf_counter() - started, 1)
                render_meeting_pack_pdf(viewer=coord, meeting=at)  # warm imports and fonts
                result["maxrss_mb_before"] = _maxrss_mb()
                result["render"] = _time(
                    lambda: render_meeting_pack_pdf(viewer=coord, meeting=at), repeats
                )
                result["partner_copy"] = _time(
                    lambda: render_meeting_pack_pdf(viewer=partner, meeting=at), repeats
                )
                result["weasyprint_alone"] = _weasyprint_alone(coord, at, repeats)

                def generate():
                    document, _ = document_request(actor=coord, meeting=at, kind="pack")
                    return document_generate(document_id=document.pk)

                result["generate"] = _time(generate, 1)
                result["maxrss_mb_after"] = _maxrss_mb()
                tracemalloc.start()
                render_meeting_pack_pdf(viewer=coord, meeting=at)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                result["tracemalloc_peak_mb"] = round(peak / 2**20, 1)
                raise _Rollback
        except _Rollback:
            pass
    result["meets_target"] = result["render"]["max_s"] < TARGET_SECONDS
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    result = bench_pack(cases=args.cases, repeats=args.repeats)
    render = result["render"]
    print(
        f"MARAC pack, {result['cases']} cases: render median {render['median_s']} s "
        f"(max {render['max_s']} s, target < {TARGET_SECONDS} s: "
        f"{'met' if result['meets_target'] else 'MISSED'}), {render['pages']} pages, "
        f"{render['bytes']} bytes, {render['queries']} queries; "
        f"partner copy {result['partner_copy']['median_s']} s; "
        f"generate+store {result['generate']['median_s']} s; "
        f"tracemalloc peak {result['tracemalloc_peak_mb']} MB; "
        f"maxrss {result['maxrss_mb_before']} -> {result['maxrss_mb_after']} MB"
    )
    alone = result["weasyprint_alone"]
    print(
        f"In turns: the pack {alone['pack_median_s']} s, WeasyPrint alone on the same HTML "
        f"({alone['html_bytes']} bytes) {alone['median_s']} s: ratio {alone['ratio']}x; "
        f"selectors and template alone {alone['selectors_and_template_median_s']} s"
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
