"""The demo's evidence workspace (`kinerja demo`): the default codebook, invented informants,
twelve invented sources (sample/, each marked SINTETIS / SYNTHETIC) and their coding by two
evaluators, so the matrix, agreement, triangulation and inhibiting factors have something to show.

Everything goes through the services, so the sample obeys the same rules as real data."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from importlib.abc import Traversable
from typing import Any, TextIO

from django.db import transaction

from kinerja.evidence import services
from kinerja.evidence.models import Code, Evaluation, Informant, Source
from kinerja.register import permissions
from kinerja.register.models import Staff, Unit

SECTION = "14.71-RESOS-ANAK"
EVALUATION = "sampel-anak-2024"
BANNER = "BUKTI SINTETIS — bukan wawancara sungguhan / SYNTHETIC EVIDENCE — not real interviews"


def sample_dir() -> Traversable:
    return resources.files("kinerja.evidence").joinpath("sample")


def manifest() -> dict[str, Any]:
    return tomllib.loads(sample_dir().joinpath("sampel.toml").read_text(encoding="utf-8"))


def _office_evaluators(section: Unit | None) -> list[Staff]:
    """The evaluators of the section and the units above it (the demo's evaluator account among
    them), so a newcomer signed in as the evaluator finds the sample evaluation open to them."""
    units, unit = [], section
    while unit is not None:
        units.append(unit.pk)
        unit = unit.parent
    return list(Staff.objects.filter(role=permissions.EVALUATOR, unit_id__in=units, is_active=True))


def _coders(names: list[str]) -> dict[str, Staff]:
    """The sample's evaluators, created if absent (in the section, no usable password: the demo's
    own login users are made by the register's demo)."""
    unit = Unit.objects.filter(code=SECTION).first()
    users: dict[str, Staff] = {}
    for name in names:
        user = Staff.objects.filter(username=name).first()
        if user is None:
            user = Staff(username=name, role=permissions.EVALUATOR, unit=unit, full_name=f"Peneliti (sampel) {name[-1]}")
            user.set_unusable_password()
            user.save()
        users[name] = user
    return users


def _span(text: str, quote: str, where: str) -> tuple[int, int]:
    count = text.count(quote)
    if count != 1:
        raise ValueError(f"sample quote occurs {count} times in {where}: {quote!r}")
    start = text.index(quote)
    return start, start + len(quote)


def load_sample(out: TextIO) -> Evaluation | None:
    """Load the sample once, as the evaluation ``sampel-anak-2024`` of the child section whose
    members are the sample's coders; returns None (and changes nothing) when it is already there."""
    data = manifest()
    op = services.OPERATOR
    if Evaluation.objects.filter(code=EVALUATION).exists():
        print("Bukti sampel sudah ada / evidence sample already loaded", file=out)
        return None
    with transaction.atomic():
        coders = _coders(list(data["pengkode"]))
        section = Unit.objects.filter(code=SECTION).first()
        evaluation = services.create_evaluation(
            op, code=EVALUATION, title="Evaluasi kinerja Seksi Rehabilitasi Sosial Anak (sampel)",
            unit=section, period_start=date(2023, 1, 1),
            period_end=date(2026, 1, 1), members=[*coders.values(), *_office_evaluators(section)])
        codes = {c.name: c for c in Code.objects.filter(evaluation=evaluation)}
        for inf in data["informan"]:
            if not Informant.objects.filter(evaluation=evaluation, code=inf["kode"]).exists():
                services.add_informant(
                    op, evaluation, inf["kode"], role=inf["peran"], key_informant=inf.get("kunci", False),
                    sampling_reason=inf.get("alasan", ""), is_child=inf.get("anak", False),
                    initials=inf.get("inisial", ""), age=inf.get("umur"), consent_recorded=inf.get("persetujuan", False),
                )
        sources: dict[str, Source] = {}
        texts: dict[str, str] = {}
        for s in data["sumber"]:
            raw = sample_dir().joinpath(s["berkas"]).read_bytes()
            source = services.import_source(
                op, evaluation, raw, s["berkas"], source_type=s["jenis"], informants=s.get("informan", []),
                source_date=s.get("tanggal"), title=s["judul"],
            )
            sources[s["id"]] = source
            texts[s["id"]] = services.source_text(source)
        n = 0
        for sid, rows in data["koding"].items():
            for code_name, stance, who, quote in rows:
                start, end = _span(texts[sid], quote, sid)
                for digit in who:
                    coder = coders[data["pengkode"][int(digit) - 1]]
                    services.add_coding(op, sources[sid], codes[code_name], start, end, stance=stance, coder=coder)
                    n += 1
        for memo in data.get("memo", []):
            services.add_memo(
                op, evaluation, memo["teks"], title=memo.get("judul", ""), author=coders.get(memo.get("oleh", "")),
                code=codes[memo["kode"]] if "kode" in memo else None,
                source=sources[memo["sumber"]] if "sumber" in memo else None,
            )
    print(BANNER, file=out)
    print(f"Bukti sampel dimuat / evidence sample loaded: {len(sources)} sumber, {n} koding, "
          f"{len(coders)} pengkode ({', '.join(coders)})", file=out)
    return evaluation
