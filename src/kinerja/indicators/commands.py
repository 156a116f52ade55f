"""`kinerja measures | scorecard | trend | frameworks`: the indicator engine on the command line.

JSON is the machine output of indicators.md (numbers unrounded); `table` is for people: labels in
KINERJA_LANGUAGE (Indonesian by default), two decimals in the language's number format.

An error starts with one bilingual line ("Indonesian / English", greppable whatever the setting),
followed by the valid choices and how to list them, in the user's language."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TextIO

from kinerja import choices, numbers

TEXT: dict[str, dict[str, str]] = {
    "id": {
        "measures": "Ukuran kinerja", "measure": "Indikator", "value": "Nilai", "unit": "Satuan",
        "period": "Periode", "worker": "Pekerja sosial", "na": "tidak tersedia", "to": "s.d.",
        "scorecard": "Kartu kinerja", "score": "Skor", "overall": "Skor keseluruhan", "previous": "Sebelumnya",
        "change": "Perubahan", "target": "Target", "achievement": "Capaian", "rating": "Predikat",
        "direction": "Arah", "inhibitors": "Faktor penghambat", "obstacle_actions": "tindakan terkendala",
        "share": "porsi", "trend": "Tren", "year": "Tahun", "frameworks": "Kerangka penilaian",
        "dimensions": "Dimensi", "source": "Berkas", "id": "Kode", "name": "Nama", "weight": "bobot",
        "up": "naik lebih baik", "down": "turun lebih baik", "none": "-",
        "level": "Tingkat", "organisation": "organisasi", "process": "proses", "individual": "individu",
        "spm_extra": "tambahan SPM",
    },
    "en": {
        "measures": "Performance measures", "measure": "Measure", "value": "Value", "unit": "Unit",
        "period": "Period", "worker": "Social worker", "na": "not available", "to": "to",
        "scorecard": "Scorecard", "score": "Score", "overall": "Overall score", "previous": "Previous",
        "change": "Change", "target": "Target", "achievement": "Achievement", "rating": "Rating",
        "direction": "Direction", "inhibitors": "Inhibiting factors", "obstacle_actions": "actions with obstacle",
        "share": "share", "trend": "Trend", "year": "Year", "frameworks": "Frameworks",
        "dimensions": "Dimensions", "source": "File", "id": "Id", "name": "Name", "weight": "weight",
        "up": "higher is better", "down": "lower is better", "none": "-",
        "level": "Level", "organisation": "organisation", "process": "process", "individual": "individual",
        "spm_extra": "SPM extra",
    },
}

# `--lang` of one command run, over KINERJA_LANGUAGE
_LANG: ContextVar[str | None] = ContextVar("kinerja_cli_lang", default=None)


def _language() -> str:
    chosen = _LANG.get()
    if chosen:
        return choices.language(chosen)
    from django.conf import settings

    return choices.language(settings.KINERJA.language)


def fmt_number(value: Any, lang: str, integer: bool = False) -> str:
    """Through the one formatter (kinerja.numbers): two decimals rounded half up, counts without."""
    return numbers.format_number(value, lang, "count" if integer else "decimal")


def _table(rows: list[list[str]], out: TextIO, right: set[int] | None = None) -> None:
    """A plain aligned table (no external dependency), right-aligning numeric columns."""
    right = right or set()
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)]
        print("  ".join(cells).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)


def _period_text(mulai: str, selesai: str, lang: str) -> str:
    start, end = dt.date.fromisoformat(mulai), dt.date.fromisoformat(selesai)
    if start.month == 1 and start.day == 1 and end == dt.date(start.year + 1, 1, 1):
        return str(start.year)
    last = end - dt.timedelta(days=1)
    return f"{start.isoformat()} {TEXT[lang]['to']} {last.isoformat()}"


# -- handlers ------------------------------------------------------------------------------------
class UsageError(Exception):
    """A refusal: a bilingual first line, then hint lines in the user's language."""

    def __init__(self, message: str, hints: list[str] | None = None) -> None:
        self.lines = [message, *(hints or [])]
        super().__init__("\n".join(self.lines))


def _setup() -> None:
    from kinerja.clibase import setup_django

    setup_django()


def _unit(code: str | None) -> Any:
    """The unit of --unit; a wrong or missing code names near codes and `kinerja units`."""
    from kinerja.register.models import Unit

    lang = _language()
    known = dict(Unit.objects.values_list("code", "name"))
    if not code:
        raise UsageError("--unit perlu kode unit / --unit needs a unit code",
                         choices.hint_lines("", list(known), lang, command="kinerja units",
                                            describe=known.__getitem__))
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        raise UsageError(f"unit tidak dikenal / unknown unit: {code}",
                         choices.hint_lines(code, list(known), lang, command="kinerja units", describe=known.__getitem__,
                                            texts=known)) from None


def _worker(username: str | None, unit: Any) -> Any:
    """The social worker of --worker; a wrong username names the usernames of the unit's workers."""
    from kinerja.register.models import Staff
    from kinerja.register.selectors import descendant_unit_ids

    if not username:
        return None
    worker = Staff.objects.filter(username=username).first()
    if worker is not None:
        return worker
    lang = _language()
    workers = list(Staff.objects.filter(unit_id__in=descendant_unit_ids(unit), role="pekerja_sosial")
                   .order_by("username").values_list("username", flat=True))
    hints = choices.hint_lines(username, workers, lang, always_all=40, all_without_near=40)
    if not workers:
        hints = [{"id": f"Unit {unit.code} belum punya pekerja sosial terdaftar.",
                  "en": f"Unit {unit.code} has no registered social workers."}[lang]]
    raise UsageError(f"pengguna tidak dikenal / unknown user: {username}", hints)


def _measure(measure_id: str) -> Any:
    """The measure of --measure; a wrong id names near ids (with their names) or every id."""
    from kinerja.indicators import definitions as defs

    if measure_id in defs.MEASURES:
        return defs.get(measure_id)
    lang = _language()
    names = {mid: m.name(lang) for mid, m in defs.MEASURES.items()}
    raise UsageError(f"indikator tidak dikenal / unknown measure: {measure_id}",
                     choices.hint_lines(measure_id, defs.ALL_IDS, lang, command="kinerja measures --list",
                                        all_without_near=len(defs.ALL_IDS), describe=names.__getitem__, texts=names))


def _period_error(exc: Exception, start: dt.date | None, end: dt.date | None) -> UsageError:
    lang = _language()
    form = {"id": "Tulis --year TAHUN (mis. --year 2020), atau --from YYYY-MM-DD --to YYYY-MM-DD "
                  "(--to adalah hari sesudah hari terakhir).",
            "en": "Give --year YEAR (e.g. --year 2020), or --from YYYY-MM-DD --to YYYY-MM-DD "
                  "(--to is the day after the last day)."}[lang]
    if "must be after" in str(exc):
        return UsageError(f"periode: --to harus sesudah --from / period: --to must be after --from "
                          f"({start} .. {end})", [form])
    return UsageError("periode: beri --year, atau --from dan --to / "
                      "period: give either --year, or both --from and --to", [form])


def _years(text: str) -> list[int]:
    from kinerja.indicators.periods import parse_years

    try:
        return parse_years(text)
    except ValueError:
        lang = _language()
        raise UsageError(f"--years harus berbentuk 2016-2025 / --years must look like 2016-2025, not {text!r}",
                         [{"id": "Tahun awal, tanda hubung, tahun akhir (awal tidak sesudah akhir); "
                                 "satu tahun saja juga boleh: 2020.",
                           "en": "First year, a hyphen, last year (first not after last); "
                                 "a single year is fine too: 2020."}[lang]]) from None


def _framework(framework_id: str | None) -> None:
    """Refuse an unknown --framework naming the available ones (shipped and the data folder's)."""
    from kinerja.indicators import frameworks

    if not framework_id:
        return
    found = frameworks.load_all()
    if framework_id in found:
        return
    lang = _language()
    raise UsageError(f"kerangka penilaian tidak dikenal / unknown framework: {framework_id}",
                     choices.hint_lines(framework_id, sorted(found), lang, command="kinerja frameworks",
                                        always_all=len(found), describe=lambda f: found[f].name(lang)))


def _resolve(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """(unit, period, worker) from --unit, --year | --from/--to, --worker."""
    from kinerja.indicators.scorecard import period_of

    unit = _unit(args.unit)
    start = getattr(args, "date_from", None)
    end = getattr(args, "date_to", None)
    try:
        period = period_of(args.year, start, end)
    except ValueError as exc:
        raise _period_error(exc, start, end) from None
    return unit, period, _worker(getattr(args, "worker", None), unit)


def _run(body: Callable[[argparse.Namespace, TextIO], None]) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        _setup()
        from kinerja.indicators.frameworks import FrameworkError

        token = _LANG.set(getattr(args, "lang", None))
        try:
            body(args, sys.stdout)
        except UsageError as exc:
            for line in exc.lines:
                print(line, file=sys.stderr)
            return 2
        except (FrameworkError, KeyError) as exc:
            print(exc.args[0] if exc.args else str(exc), file=sys.stderr)
            return 2
        finally:
            _LANG.reset(token)
        return 0

    handler.__name__ = body.__name__
    return handler


def measures_body(args: argparse.Namespace, out: TextIO) -> None:
    from django.conf import settings

    from kinerja.indicators import definitions as defs
    from kinerja.indicators import gate
    from kinerja.indicators.achievement import ikm_band
    from kinerja.indicators.measures import compute, machine_output

    unit, period, worker = _resolve(args)
    kategori = getattr(args, "kategori", None)
    audience = gate.operator(args.publik, settings.KINERJA.suppression_k)
    try:
        gate.check_request(audience, period, worker, kategori)
    except gate.GateError as exc:
        raise UsageError(str(exc)) from None
    values = gate.publish_figures(audience, unit, period, compute(unit, period, worker=worker, kategori=kategori))
    data = machine_output(unit, period, values, kategori)
    lang = _language()
    t = TEXT[lang]
    if args.format == "json":
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if args.format == "csv":
        writer = csv.writer(out)
        writer.writerow(["id", t["measure"], t["value"], t["unit"]])
        for mid in defs.CORE_IDS:
            m = defs.get(mid)
            v = values[mid]
            writer.writerow([mid, m.name(lang), "" if v is None else repr(v), m.unit_label(lang)])
        return
    head = f"{t['measures']}: {unit.code} {unit.name} · {t['period']} {_period_text(data['mulai'], data['selesai'], lang)}"
    if worker is not None:
        head += f" · {t['worker']}: {worker.username}"
    print(head, file=out)
    print(file=out)
    rows = [[t["measure"], t["value"], t["unit"]]]
    for mid in defs.CORE_IDS:
        m = defs.get(mid)
        text = fmt_number(values[mid], lang, m.integer)
        if mid == "ikm" and values[mid] is not None:
            text += f" ({ikm_band(values[mid]).code})"
        rows.append([m.name(lang), text, m.unit_label(lang)])
    _table(rows, out, right={1})


def scorecard_body(args: argparse.Namespace, out: TextIO) -> None:
    from kinerja.indicators.scorecard import scorecard

    unit, period, worker = _resolve(args)
    _framework(args.framework)
    lang = _language()
    card = scorecard(unit, period, framework=args.framework, worker=worker, lang=lang,
                     kategori=getattr(args, "kategori", None))
    if args.format == "json":
        json.dump(card, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    print_scorecard(card, out, lang)


def print_scorecard(card: dict[str, Any], out: TextIO, lang: str) -> None:
    t = TEXT[lang]
    prev = card["previous"]
    print(f"{t['scorecard']}: {card['framework_name']}", file=out)
    line = (f"{card['unit']} {card['unit_name']} · {t['period']} {_period_text(card['mulai'], card['selesai'], lang)}"
            f" ({t['previous'].lower()}: {_period_text(prev['mulai'], prev['selesai'], lang)})")
    if card["worker"]:
        line += f" · {t['worker']}: {card['worker']}"
    if card.get("kategori"):
        line += f" · kategori: {', '.join(card['kategori'])}"
    print(line, file=out)
    print(f"{t['overall']}: {fmt_number(card['score'], lang)} · {card['rating_label']}", file=out)
    header = [t["measure"], t["value"], t["unit"], t["target"], t["achievement"], t["rating"], t["previous"],
              t["change"]]

    def rows_of(measures: list[dict[str, Any]]) -> list[list[str]]:
        from kinerja.indicators import definitions as defs

        rows = [header]
        for m in measures:
            integer = defs.get(m["id"]).integer
            value = fmt_number(m["value"], lang, integer)
            if m.get("quality_band"):
                value += f" ({m['quality_band']})"
            arrow = {"up": "↑", "down": "↓"}.get(m["direction"], "")
            rows.append([
                f"{m['name']} {arrow}".rstrip(), value, m["unit"],
                "" if m["target"] is None else fmt_number(m["target"], lang),
                "" if m["achievement"] is None else fmt_number(m["achievement"], lang) + " %",
                m["rating_label"] if m["achievement"] is not None else "",
                fmt_number(m["previous"], lang, integer),
                "" if m["change"] is None else ("+" if m["change"] > 0 else "") + fmt_number(m["change"], lang, integer),
            ])
        return rows

    for d in card["dimensions"]:
        print(file=out)
        print(f"{d['name']} · {t['score'].lower()} {fmt_number(d['score'], lang)} · {d['rating_label']}", file=out)
        _table(rows_of(d["measures"]), out, right={1, 3, 4, 6, 7})
    if card["inhibitors"]:
        print(file=out)
        print(f"{t['inhibitors']} (↑ = {t['up']}, ↓ = {t['down']})", file=out)
        for i in card["inhibitors"]:
            print(file=out)
            share = "" if i["share"] is None else f"{t['share']} {fmt_number(i['share'], lang)} % · "
            actions = "" if i["actions"] is None else f"{i['actions']} {t['obstacle_actions']}"
            print(f"{i['rank']}. {i['name']} · {share}{actions}", file=out)
            _table(rows_of(i["measures"]), out, right={1, 3, 4, 6, 7})


def trend_body(args: argparse.Namespace, out: TextIO) -> None:
    from kinerja.indicators.scorecard import trend

    years = _years(args.years)
    m = _measure(args.measure)
    unit = _unit(args.unit)
    worker = _worker(args.worker, unit)
    kategori = getattr(args, "kategori", None)
    series = trend(unit, years, m.id, worker=worker, kategori=kategori)
    lang = _language()
    t = TEXT[lang]
    if args.format == "json":
        body = {"unit": unit.code, "measure": m.id, "worker": args.worker, "series": series}
        if kategori:
            body["kategori"] = kategori
        json.dump(body, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if args.format == "csv":
        writer = csv.writer(out)
        writer.writerow(["tahun" if lang == "id" else "year", m.id])
        for point in series:
            writer.writerow([point["year"], "" if point["value"] is None else repr(point["value"])])
        return
    print(f"{t['trend']}: {m.name(lang)} ({m.unit_label(lang)}) · {unit.code} {unit.name}", file=out)
    print(file=out)
    rows = [[t["year"], t["value"]]] + [[str(p["year"]), fmt_number(p["value"], lang, m.integer)] for p in series]
    _table(rows, out, right={1})


def frameworks_body(args: argparse.Namespace, out: TextIO) -> None:
    from kinerja.indicators import frameworks

    lang = _language()
    t = TEXT[lang]
    found = frameworks.load_all()
    if args.format == "json":
        json.dump([{**frameworks.describe(fw, lang), "source": str(fw.source)} for fw in found.values()],
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    rows = [[t["id"], t["name"], t["dimensions"], t["source"]]]
    for fw in found.values():
        mark = " *" if fw.id == frameworks.DEFAULT_ID else ""
        rows.append([fw.id + mark, fw.name(lang), ", ".join(d.name(lang) for d in fw.dimensions), str(fw.source)])
    _table(rows, out)


def level_text(m: Any, lang: str) -> str:
    """Where a measure is computed: organisation or process level, and whether for one worker too."""
    t = TEXT[lang]
    parts = [t["process"] if m.level == "process" else t["organisation"]]
    if m.case_based:
        parts.append(t["individual"])
    if not m.core:
        parts.append(t["spm_extra"])
    return ", ".join(parts)


def measure_list(lang: str) -> list[dict[str, Any]]:
    """Every measure of definitions.py, in its order, as `kinerja measures --list` shows it."""
    from kinerja.indicators import definitions as defs

    return [{
        "id": m.id, "name": m.name(lang), "name_id": m.name_id, "name_en": m.name_en,
        "unit": m.unit_label(lang), "direction": m.direction,
        "level": "process" if m.level == "process" else "organisation", "individual": m.case_based,
        "yearly": m.yearly, "core": m.core,
    } for m in defs.MEASURES.values()]


def list_body(args: argparse.Namespace, out: TextIO) -> None:
    from kinerja.indicators import definitions as defs

    lang = _language()
    t = TEXT[lang]
    rows = measure_list(lang)
    if args.format == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if args.format == "csv":
        writer = csv.writer(out)
        writer.writerow(["id", t["name"], t["unit"], t["direction"], t["level"]])
        for r in rows:
            writer.writerow([r["id"], r["name"], r["unit"], t[r["direction"]], level_text(defs.get(r["id"]), lang)])
        return
    table = [[t["id"], t["name"], t["unit"], t["direction"], t["level"]]]
    table += [[r["id"], r["name"], r["unit"], t[r["direction"]], level_text(defs.get(r["id"]), lang)] for r in rows]
    print(f"{t['measures']} ({len(rows)})", file=out)
    print(file=out)
    _table(table, out)


def measures_command(args: argparse.Namespace, out: TextIO) -> None:
    """`--list` describes the measures; otherwise they are computed for a unit and period."""
    if args.list:
        list_body(args, out)
    else:
        measures_body(args, out)


cmd_measures = _run(measures_command)
cmd_scorecard = _run(scorecard_body)
cmd_trend = _run(trend_body)
cmd_frameworks = _run(frameworks_body)


def figures_warm_body(args: argparse.Namespace, out: TextIO) -> None:
    """Compute what the figure cache lacks (every unit, or --unit and its descendants; every year
    with cases, or --years), e.g. after a large import, so no page waits for it."""
    from kinerja.indicators import keeper
    from kinerja.indicators.measures import unit_tree

    ids = None
    if args.unit:
        ids = sorted(unit_tree().descendants(_unit(args.unit).pk))
    keeper.warm(ids, _years(args.years) if args.years else None, out=out)


def figures_keep_body(args: argparse.Namespace, out: TextIO) -> None:
    """warm(), then keep the figures warm after every write, until the serving process (--parent)
    is gone. `kinerja serve` runs it; it lowers its own priority below the web workers'."""
    import os

    from kinerja.indicators import keeper

    os.nice(10)
    parent = args.parent
    keeper.keep(lambda: parent is not None and os.getppid() != parent, poll=args.poll, out=out)


cmd_figures_warm = _run(figures_warm_body)
cmd_figures_keep = _run(figures_keep_body)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal harus YYYY-MM-DD / date must be YYYY-MM-DD: {text!r}") from None


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not 1900 <= year <= 2999:
        raise argparse.ArgumentTypeError(f"tahun harus empat angka, mis. 2020 / year must be four digits, "
                                         f"e.g. 2020: {text!r}")
    return year


def _period_args(sp: argparse.ArgumentParser) -> None:
    # not required by argparse: a missing --unit is refused with the list of unit codes
    sp.add_argument("--unit", help="kode unit (unit code); its descendants are included; see `kinerja units`")
    sp.add_argument("--year", type=_year, help="calendar year (WIB)")
    sp.add_argument("--from", dest="date_from", type=_date, help="first WIB date, YYYY-MM-DD (inclusive)")
    sp.add_argument("--to", dest="date_to", type=_date, help="WIB date after the last one (exclusive)")
    sp.add_argument("--worker", help="username: the individual level (cases assigned to that social worker)")


def _kategori(text: str) -> list[str]:
    from kinerja import vocab

    codes = sorted({k.strip() for k in text.split(",") if k.strip()})
    unknown = [k for k in codes if k not in vocab.KATEGORI]
    if not codes or unknown:
        raise argparse.ArgumentTypeError(
            f"kategori tidak dikenal / unknown category: {', '.join(unknown) or text!r}; "
            f"pilihan / choices: {', '.join(vocab.KATEGORI.codes)}")
    return codes


def _kategori_arg(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--kategori", type=_kategori, metavar="K[,K]",
                    help="case categories: the case measures over those categories only; measures built "
                         "on other records are then null")


def _lang_arg(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--lang", choices=["id", "en"], help="language of names and labels (default KINERJA_LANGUAGE)")


def register(sub: argparse._SubParsersAction, add: Callable[..., argparse.ArgumentParser]) -> None:
    sp = add("measures", cmd_measures, "Compute every measure of indicators.md for a unit and period; "
             "--list describes every measure.")
    _period_args(sp)
    sp.add_argument("--publik", action="store_true",
                    help="the form that may leave the unit: counts below KINERJA_SUPPRESSION_K suppressed")
    sp.add_argument("--format", choices=["json", "table", "csv"], default="table")
    sp.add_argument("--list", action="store_true",
                    help="list every measure id with its name, unit, direction and level (no --unit needed)")
    _kategori_arg(sp)
    _lang_arg(sp)

    sp = add("scorecard", cmd_scorecard, "A framework's scorecard: values, targets, achievements, ratings.")
    _period_args(sp)
    sp.add_argument("--framework", help="framework id (default dwiyanto); see `kinerja frameworks`")
    sp.add_argument("--format", choices=["json", "table"], default="table")
    _kategori_arg(sp)
    _lang_arg(sp)

    sp = add("trend", cmd_trend, "One measure over calendar years.")
    sp.add_argument("--unit", help="kode unit (unit code); see `kinerja units`")
    sp.add_argument("--years", required=True, help="year range, e.g. 2016-2025")
    sp.add_argument("--measure", required=True,
                    help="measure id, e.g. tingkat_penyelesaian; see `kinerja measures --list`")
    sp.add_argument("--worker", help="username: the individual level")
    sp.add_argument("--format", choices=["json", "table", "csv"], default="table")
    _kategori_arg(sp)
    _lang_arg(sp)

    sp = add("figures", lambda args: 2, "The figure cache: compute figures before pages ask for them.")
    fsub = sp.add_subparsers(dest="figures_command", metavar="ACTION", required=True)
    fp = add("warm", cmd_figures_warm, "Compute every unit's figures of every year that the cache lacks "
             "(e.g. after a large import).", fsub)
    fp.add_argument("--unit", help="only this unit and its descendants")
    fp.add_argument("--years", help="only these years, e.g. 2016-2025 (default: every year with cases)")
    fp = add("keep", cmd_figures_keep, "Warm the cache, then keep it warm after every write (run by "
             "`kinerja serve`).", fsub)
    fp.add_argument("--parent", type=int, help="stop when this process is gone")
    fp.add_argument("--poll", type=float, default=2.0, help="seconds between looks at the data versions")

    sp = add("frameworks", cmd_frameworks, "List the frameworks (shipped and in <KINERJA_DATA_DIR>/frameworks).")
    sp.add_argument("--format", choices=["json", "table"], default="table")
    _lang_arg(sp)
