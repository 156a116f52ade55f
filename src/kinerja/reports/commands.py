"""`kinerja report rekap | kinerja`: the reports on the command line. The server operator's
audience (indicators.gate.operator): every figure, or the public form with --publik. A progress
bar goes to stderr; the path written is printed on stdout."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kinerja.indicators.commands import UsageError, _framework, _lang_arg, _unit, _year, _years


class Bar:
    """A progress bar on stderr: one step of the report's known steps at a time."""

    def __init__(self, steps: Sequence[str], out: Any = None, width: int = 24) -> None:
        self.steps, self.out, self.width, self.done = steps, out or sys.stderr, width, 0

    def __call__(self, name: str) -> None:
        self.done = min(self.done + 1, len(self.steps))
        filled = round(self.width * self.done / len(self.steps))
        print(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{len(self.steps)} {name:<16}",
              end="" if self.done < len(self.steps) else "\n", file=self.out, flush=True)

    def close(self) -> None:
        """End an unfinished bar's line, so a message that follows starts on its own."""
        if 0 < self.done < len(self.steps):
            print(file=self.out)


def _kategori(text: str | None) -> list[str] | None:
    from kinerja import vocab

    if not text:
        return None
    codes = [c.strip() for c in text.split(",") if c.strip()]
    bad = [c for c in codes if c not in vocab.KATEGORI]
    if bad:
        raise UsageError(f"kategori tidak dikenal / unknown category: {', '.join(bad)}",
                         [", ".join(vocab.KATEGORI.codes)])
    return codes


def _body(kind: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        from kinerja.clibase import setup_django

        setup_django()
        from django.conf import settings

        from kinerja.indicators import gate
        from kinerja.indicators.frameworks import FrameworkError
        from kinerja.indicators.periods import Period
        from kinerja.reports import recommendations, service
        from kinerja.reports.evaluation import ReportError

        lang = args.lang or settings.KINERJA.language
        started: list[Bar] = []
        try:
            unit = _unit(args.unit)
            kategori = _kategori(args.kategori)
            audience = gate.operator(args.publik, settings.KINERJA.suppression_k)
            if args.format not in service.KINDS[kind]:
                raise UsageError(f"format {args.format} tidak tersedia untuk laporan ini / "
                                 f"format {args.format} is not available for this report",
                                 [", ".join(service.KINDS[kind])])
            bar = Bar(service.STEPS[kind])
            started.append(bar)
            if kind == "rekap":
                years = _years(args.years)
                for y in years:
                    gate.check_request(audience, Period.year(y))
                d = service.build(kind, unit, audience=audience, lang=lang, years=years, kategori=kategori,
                                  progress=bar)
            else:
                _framework(args.framework)
                catatan = Path(args.catatan).read_text(encoding="utf-8") if args.catatan else ""
                d = service.build(kind, unit, audience=audience, lang=lang, year=args.year,
                                  framework=args.framework, kategori=kategori, catatan=catatan, progress=bar)
            path = service.write(d, args.format, Path(args.output) if args.output else None)
            bar("render")
        except UsageError as exc:
            for b in started:
                b.close()
            for line in exc.lines:
                print(line, file=sys.stderr)
            return 2
        except (gate.GateError, ReportError, FrameworkError, recommendations.RuleError, OSError) as exc:
            for b in started:
                b.close()
            print(str(exc), file=sys.stderr)
            return 2
        print(path)
        return 0

    handler.__name__ = f"cmd_report_{kind}"
    return handler


def register(sub: argparse._SubParsersAction, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `kinerja report ...` (called from kinerja.commands.extensions)."""
    sp = add("report", lambda args: 2, "Reports that leave the section (laporan): the case-response recap "
             "and the performance evaluation, as HTML, PDF, XLSX or CSV.")
    rsub = sp.add_subparsers(dest="report_command", metavar="REPORT", required=True)

    def common(p: argparse.ArgumentParser, formats: list[str]) -> None:
        p.add_argument("--unit", help="kode unit (unit code); its descendants are included; see `kinerja units`")
        p.add_argument("--kategori", help="only these case categories, comma-separated (e.g. kekerasan,anak_jalanan)")
        p.add_argument("--format", choices=formats, default="pdf")
        p.add_argument("--publik", action="store_true",
                       help="the public form: small cells suppressed, no child's quotes, no staff names")
        p.add_argument("--output", help="file to write (a folder for csv); default: named after report, unit, period")
        _lang_arg(p)

    p = add("rekap", _body("rekap"), "Rekapitulasi Respon Kasus: cases received, responded to and resolved "
            "per year, by category, sex, age group, referral source, closure reason and kecamatan.", rsub)
    p.add_argument("--years", required=True, help="year range, e.g. 2016-2018")
    common(p, ["html", "pdf", "xlsx", "csv"])

    p = add("kinerja", _body("kinerja"), "Laporan evaluasi kinerja: scorecard, method, evidence, inhibiting "
            "factors and recommendations for one unit and year.", rsub)
    p.add_argument("--year", type=_year, required=True, help="calendar year")
    p.add_argument("--framework", help="framework id (default dwiyanto); see `kinerja frameworks`")
    p.add_argument("--catatan", help="a text file with the evaluator's own notes (recommendations)")
    common(p, ["html", "pdf", "xlsx"])
