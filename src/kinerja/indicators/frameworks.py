"""Frameworks are data: TOML files that group, name, weight and rate the measures (indicators.md).

Shipped files live beside this module in `frameworks/`; an office adds or replaces one by dropping a
`*.toml` into `<KINERJA_DATA_DIR>/frameworks/` (a user file with the id of a shipped one replaces
it, so weights can be tuned without touching the package). A file is checked completely when
loaded: an unknown key, measure or direction is an error naming the file and the line.

File format (see dwiyanto.toml):
    id, name_id, name_en, description_id, description_en   (id defaults to the file name)
    [directions]  measure = "up" | "down" | "none"         (overrides, e.g. Nasucha's budget)
    [[dimensions]] id, name_id, name_en, weight (default 1), measures = [...],
                   weights = { measure = w } (default 1), or targeted = true (the measures that have
                   a target for the unit and year, in definitions order: SAKIP)
    [[inhibitors]] id, name_id, name_en, obstacle (a kendala code), measures = [...]
    [[rating]]     minimum, code, name_id, name_en          (replaces the default scale)
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinerja import vocab
from kinerja.indicators import definitions as defs
from kinerja.indicators.achievement import DEFAULT_SCALE, Band, RatingScale

SHIPPED_DIR = Path(__file__).with_name("frameworks")
DEFAULT_ID = "dwiyanto"


class FrameworkError(ValueError):
    """A framework file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Dimension:
    id: str
    name_id: str
    name_en: str
    measures: tuple[str, ...] = ()
    weights: dict[str, float] = field(default_factory=dict)
    weight: float = 1.0
    targeted: bool = False

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang.startswith("en") else self.name_id

    def weight_of(self, measure_id: str) -> float:
        return self.weights.get(measure_id, 1.0)


@dataclass(frozen=True)
class Inhibitor:
    id: str
    name_id: str
    name_en: str
    obstacle: str | None
    measures: tuple[str, ...]

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang.startswith("en") else self.name_id


@dataclass(frozen=True)
class Framework:
    id: str
    name_id: str
    name_en: str
    dimensions: tuple[Dimension, ...]
    inhibitors: tuple[Inhibitor, ...] = ()
    directions: dict[str, str] = field(default_factory=dict)
    scale: RatingScale = DEFAULT_SCALE
    description_id: str = ""
    description_en: str = ""
    source: Path | None = None

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang.startswith("en") else self.name_id

    def description(self, lang: str = "id") -> str:
        return self.description_en if lang.startswith("en") else self.description_id

    def direction(self, measure_id: str) -> str:
        return self.directions.get(measure_id) or defs.get(measure_id).direction

    def measure_ids(self) -> list[str]:
        """Every measure the framework names (targeted dimensions add theirs per unit and year)."""
        ids = [m for d in self.dimensions for m in d.measures] + [m for i in self.inhibitors for m in i.measures]
        ids += [f"kendala_{i.obstacle}" for i in self.inhibitors if i.obstacle in defs.OBSTACLES]
        return list(dict.fromkeys(ids))


# -- loading ------------------------------------------------------------------------------------
def user_dir() -> Path:
    """<KINERJA_DATA_DIR>/frameworks, from the Django settings when configured."""
    try:
        from django.conf import settings

        if settings.configured:
            return Path(settings.KINERJA.data_dir) / "frameworks"
    except Exception:  # settings not importable: fall back to the environment, like kinerja.config
        pass
    return Path(os.environ.get("KINERJA_DATA_DIR", "./kinerja-data")).resolve() / "frameworks"


def load_all(extra_dir: Path | None = None) -> dict[str, Framework]:
    """Shipped frameworks, then the data folder's (which may replace a shipped one by id)."""
    found: dict[str, Framework] = {}
    folders = [SHIPPED_DIR, extra_dir if extra_dir is not None else user_dir()]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            fw = load_file(path)
            found[fw.id] = fw
    return with_standard_inhibitors(found)


def with_standard_inhibitors(found: dict[str, Framework]) -> dict[str, Framework]:
    """A framework that names no inhibiting factors reports the default framework's: the obstacles
    are recorded on the actions whatever the framework, so every scorecard shows the four factors
    with their figures (indicators.md)."""
    default = found.get(DEFAULT_ID)
    standard = default.inhibitors if default is not None and default.inhibitors else (
        load_file(SHIPPED_DIR / f"{DEFAULT_ID}.toml").inhibitors)
    return {fid: fw if fw.inhibitors else dataclasses.replace(fw, inhibitors=standard)
            for fid, fw in found.items()}


def get(framework_id: str | None = None, extra_dir: Path | None = None) -> Framework:
    all_fw = load_all(extra_dir)
    fid = framework_id or DEFAULT_ID
    try:
        return all_fw[fid]
    except KeyError:
        raise FrameworkError(
            f"unknown framework {fid!r}; available: {', '.join(sorted(all_fw))}") from None


def load_file(path: Path) -> Framework:
    """One framework file, parsed once per version of the file (every scorecard asks for it)."""
    st = path.stat()
    return _load_version(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _load_version(path: Path, mtime_ns: int, size: int) -> Framework:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{path}: not valid TOML: {exc}") from None
    return _Parser(path, text).framework(data)


def loads(text: str, name: str = "<string>") -> Framework:
    """Parse a framework from text (for tests and previews)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{name}: not valid TOML: {exc}") from None
    return _Parser(Path(name), text).framework(data)


class _Parser:
    TOP = {"id", "name_id", "name_en", "description_id", "description_en", "directions", "dimensions",
           "inhibitors", "rating"}
    DIMENSION = {"id", "name_id", "name_en", "weight", "measures", "weights", "targeted"}
    INHIBITOR = {"id", "name_id", "name_en", "obstacle", "measures"}
    BAND = {"minimum", "code", "name_id", "name_en"}

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, token: str) -> int | None:
        """The first line that mentions the token as a key or a string (1-based)."""
        pattern = re.compile(rf"""(["']){re.escape(token)}\1|^\s*{re.escape(token)}\s*=|[{{,]\s*{re.escape(token)}\s*=""")
        for i, line in enumerate(self.lines, 1):
            if pattern.search(line.split("#", 1)[0]):
                return i
        return None

    def fail(self, token: str, message: str) -> FrameworkError:
        line = self.line_of(token)
        where = f"{self.path}:{line}" if line else str(self.path)
        return FrameworkError(f"{where}: {message}")

    def check_keys(self, table: dict[str, Any], allowed: set[str], what: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(key, f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})")

    def text(self, table: dict[str, Any], key: str, default: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"{key!r} must be a non-empty string")
        return value

    def number(self, table: dict[str, Any], key: str, default: float) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(key, f"{key!r} must be a number >= 0, not {value!r}")
        return float(value)

    def measure(self, mid: object) -> str:
        if not isinstance(mid, str):
            raise self.fail(str(mid), f"a measure must be a measure id string, not {mid!r}")
        if mid not in defs.MEASURES:
            raise self.fail(mid, f"unknown measure {mid!r}")
        return mid

    def measures(self, table: dict[str, Any], what: str) -> tuple[str, ...]:
        value = table.get("measures", [])
        if not isinstance(value, list):
            raise self.fail("measures", f"'measures' of {what} must be a list of measure ids")
        return tuple(self.measure(m) for m in value)

    def tables(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            raise self.fail(key, f"{key!r} must be an array of tables ([[{key}]])")
        return value

    def framework(self, data: dict[str, Any]) -> Framework:
        self.check_keys(data, self.TOP, "the framework")
        fid = self.text(data, "id", self.path.stem)
        name_id = self.text(data, "name_id", fid)
        dims = tuple(self.dimension(t) for t in self.tables(data, "dimensions"))
        if not dims:
            raise FrameworkError(f"{self.path}: a framework needs at least one [[dimensions]] table")
        seen: set[str] = set()
        for d in dims:
            if d.id in seen:
                raise self.fail(d.id, f"dimension {d.id!r} appears twice")
            seen.add(d.id)
        directions = data.get("directions", {})
        if not isinstance(directions, dict):
            raise self.fail("directions", "'directions' must be a table: measure = \"up\" | \"down\" | \"none\"")
        for mid, direction in directions.items():
            self.measure(mid)
            if direction not in defs.DIRECTIONS:
                raise self.fail(mid, f"direction of {mid!r} must be one of {', '.join(defs.DIRECTIONS)}, "
                                     f"not {direction!r}")
        bands = self.tables(data, "rating")
        return Framework(
            id=fid, name_id=name_id, name_en=self.text(data, "name_en", name_id),
            dimensions=dims,
            inhibitors=tuple(self.inhibitor(t) for t in self.tables(data, "inhibitors")),
            directions=dict(directions), scale=self.scale(bands) if bands else DEFAULT_SCALE,
            description_id=str(data.get("description_id", "")), description_en=str(data.get("description_en", "")),
            source=self.path,
        )

    def dimension(self, t: dict[str, Any]) -> Dimension:
        self.check_keys(t, self.DIMENSION, "a dimension")
        did = self.text(t, "id")
        targeted = t.get("targeted", False)
        if not isinstance(targeted, bool):
            raise self.fail("targeted", "'targeted' must be true or false")
        measures = self.measures(t, f"dimension {did!r}")
        if not measures and not targeted:
            raise self.fail(did, f"dimension {did!r} has no measures")
        weights = t.get("weights", {})
        if not isinstance(weights, dict):
            raise self.fail("weights", "'weights' must be a table: measure = weight")
        for mid in weights:
            self.measure(mid)
            if measures and mid not in measures:
                raise self.fail(mid, f"weight for {mid!r}, which is not a measure of dimension {did!r}")
            self.number(weights, mid, 1.0)
        name_id = self.text(t, "name_id", did)
        return Dimension(
            id=did, name_id=name_id, name_en=self.text(t, "name_en", name_id), measures=measures,
            weights={k: float(v) for k, v in weights.items()}, weight=self.number(t, "weight", 1.0),
            targeted=targeted,
        )

    def inhibitor(self, t: dict[str, Any]) -> Inhibitor:
        self.check_keys(t, self.INHIBITOR, "an inhibiting factor")
        iid = self.text(t, "id")
        obstacle = t.get("obstacle")
        if obstacle is not None and obstacle not in vocab.KENDALA:
            raise self.fail(str(obstacle), f"unknown obstacle {obstacle!r} (kendala: {', '.join(vocab.KENDALA)})")
        name_id = self.text(t, "name_id", iid)
        return Inhibitor(id=iid, name_id=name_id, name_en=self.text(t, "name_en", name_id), obstacle=obstacle,
                         measures=self.measures(t, f"inhibiting factor {iid!r}"))

    def scale(self, tables: list[dict[str, Any]]) -> RatingScale:
        bands = []
        for i, t in enumerate(tables):
            self.check_keys(t, self.BAND, "a rating band")
            last = i == len(tables) - 1
            if "minimum" not in t and not last:
                raise self.fail("rating", "every rating band but the lowest needs a 'minimum'")
            minimum = t.get("minimum", float("-inf"))
            if isinstance(minimum, bool) or not isinstance(minimum, int | float):
                raise self.fail("minimum", f"'minimum' must be a number, not {minimum!r}")
            code = self.text(t, "code")
            name_id = self.text(t, "name_id", code)
            bands.append(Band(float(minimum), code, name_id, self.text(t, "name_en", name_id)))
        try:
            return RatingScale(tuple(bands))
        except ValueError as exc:
            raise self.fail("rating", str(exc)) from None


def describe(fw: Framework, lang: str = "id") -> dict[str, Any]:
    """A JSON-ready summary of a framework (for `kinerja frameworks` and the API)."""
    return {
        "id": fw.id, "name": fw.name(lang), "description": fw.description(lang), "default": fw.id == DEFAULT_ID,
        "dimensions": [{"id": d.id, "name": d.name(lang), "weight": d.weight, "measures": list(d.measures),
                        "weights": d.weights, "targeted": d.targeted} for d in fw.dimensions],
        "inhibitors": [{"id": i.id, "name": i.name(lang), "obstacle": i.obstacle, "measures": list(i.measures)}
                       for i in fw.inhibitors],
        "directions": fw.directions,
    }
