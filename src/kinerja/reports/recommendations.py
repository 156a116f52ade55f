"""Recommendation rules (recommendations.toml): a condition on a measure, a dimension or an
inhibiting factor of the scorecard gives a recommendation in both languages. An office may use its
own rules from <KINERJA_DATA_DIR>/recommendations.toml."""

from __future__ import annotations

import operator
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).resolve().parent / "recommendations.toml"
FIELDS = {"ukuran": ("nilai", "capaian", "predikat"), "dimensi": ("skor", "predikat"),
          "faktor": ("peringkat", "porsi")}
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}
_COMPARE = re.compile(r"^\s*(\w+)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")
_IN = re.compile(r"^\s*predikat\s+in\s+\[([^\]]*)\]\s*$")


class RuleError(ValueError):
    """A rules file that cannot be used: the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    target: str  # "ukuran" | "dimensi" | "faktor"
    ref: str
    field: str
    op: str  # an OPS key or "in"
    operand: float | tuple[str, ...]
    text_id: str
    text_en: str

    def text(self, lang: str) -> str:
        return self.text_en if lang.startswith("en") else self.text_id

    def holds(self, figures: dict[str, Any]) -> bool:
        """Whether the rule applies to the figures of its target; a missing or hidden figure
        (a suppression mark) never applies."""
        value = figures.get(self.field)
        if self.op == "in":
            return isinstance(value, str) and value in self.operand  # type: ignore[operator]
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        return bool(OPS[self.op](value, self.operand))


def rules_path() -> Path:
    from django.conf import settings

    own = Path(settings.KINERJA.data_dir) / "recommendations.toml"
    return own if own.is_file() else SHIPPED


def load(path: Path | None = None) -> list[Rule]:
    path = path or rules_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: {exc}") from None
    rules = []
    for n, raw in enumerate(data.get("aturan", []), 1):
        where = f"{path}: aturan {n}"
        targets = [k for k in FIELDS if k in raw]
        if len(targets) != 1:
            raise RuleError(f"{where}: beri tepat satu dari ukuran, dimensi, faktor / "
                            "give exactly one of ukuran, dimensi, faktor")
        target = targets[0]
        cond = str(raw.get("jika", ""))
        m_in, m_cmp = _IN.match(cond), _COMPARE.match(cond)
        if m_in:
            field, op, operand = "predikat", "in", tuple(x.strip().strip("\"'") for x in m_in.group(1).split(",")
                                                          if x.strip())
        elif m_cmp:
            field, op, operand = m_cmp.group(1), m_cmp.group(2), float(m_cmp.group(3))  # type: ignore[assignment]
        else:
            raise RuleError(f"{where}: syarat tidak dikenal / unknown condition: {cond!r}")
        if field not in FIELDS[target]:
            raise RuleError(f"{where}: {target} hanya punya / only has {', '.join(FIELDS[target])}, bukan / not {field}")
        if not raw.get("id") or not raw.get("en"):
            raise RuleError(f"{where}: perlu teks id dan en / needs texts id and en")
        rules.append(Rule(target, str(raw[target]), field, op, operand, str(raw["id"]), str(raw["en"])))
    return rules


def applying(rules: list[Rule], card: dict[str, Any]) -> list[Rule]:
    """The rules that hold for a (gated) scorecard, in the file's order."""
    measures: dict[str, dict[str, Any]] = {}
    for d in card["dimensions"]:
        for m in d["measures"]:
            measures[m["id"]] = {"nilai": m["value"], "capaian": m["achievement"], "predikat": m["rating"]}
    for i in card["inhibitors"]:
        for m in i["measures"]:
            measures.setdefault(m["id"], {"nilai": m["value"], "capaian": m["achievement"], "predikat": m["rating"]})
    dims = {d["id"]: {"skor": d["score"], "predikat": d["rating"] if d["score"] is not None else None}
            for d in card["dimensions"]}
    hidden_share = any(i.get("share") == "*" for i in card["inhibitors"])
    factors = {i["id"]: {"peringkat": None if hidden_share or i["share"] is None else i["rank"], "porsi": i["share"]}
               for i in card["inhibitors"]}
    pools = {"ukuran": measures, "dimensi": dims, "faktor": factors}
    return [r for r in rules if r.ref in pools[r.target] and r.holds(pools[r.target][r.ref])]
