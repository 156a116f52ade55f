"""Indonesian full-text search and code suggestions (evidence.md, "Search and suggestions").

Indonesian builds word forms with affixes (``anggaran``, ``penganggaran``, ``dianggarkan``), so
words are compared by their Sastrawi stem. Sastrawi is slow, hence the per-token cache, and the
index is built once per set of sources and queried many times.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .records import Project, Source

_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Sastrawi's Indonesian stop words (yang, dan, di, ...), which carry no topic."""
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words())


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem of one word, lower-cased; cached because Sastrawi takes milliseconds per word."""
    lowered = word.lower()
    if lowered.isdigit():
        return lowered
    stemmed: str = _stemmer().stem(lowered)
    return stemmed or lowered


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str
    stem: str


def tokens(text: str, *, drop_stop_words: bool = True) -> list[Token]:
    """Words of ``text`` with code-point offsets and stems; stop words dropped by default."""
    stops = stop_words() if drop_stop_words else frozenset()
    out: list[Token] = []
    for m in _WORD_RE.finditer(text):
        word = m.group(0)
        if word.lower() in stops:
            continue
        out.append(Token(m.start(), m.end(), word, stem(word)))
    return out


def query_stems(query: str) -> list[str]:
    """Distinct stems of a query, in order; stop words kept only if the query is nothing else."""
    toks = tokens(query) or tokens(query, drop_stop_words=False)
    seen: dict[str, None] = {}
    for t in toks:
        seen.setdefault(t.stem, None)
    return list(seen)


@dataclass(frozen=True)
class Hit:
    source: str
    score: float
    positions: tuple[tuple[int, int], ...]  # code-point spans of the matching words
    snippet: str


def snippet(text: str, start: int, end: int, *, width: int = 60) -> str:
    """About ``width`` characters either side of text[start:end], whitespace collapsed."""
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    body = " ".join(text[lo:hi].split())
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


class SearchIndex:
    """Inverted index stem -> source -> word spans, built once over the sources."""

    def __init__(self, sources: Iterable[Source]) -> None:
        self._texts: dict[str, str] = {}
        self._postings: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(dict)
        self._lengths: dict[str, int] = {}
        for source in sources:
            self.add(source.guid, source.text)

    def add(self, guid: str, text: str) -> None:
        """Index (or re-index) one text."""
        if guid in self._texts:
            self.remove(guid)
        self._texts[guid] = text
        toks = tokens(text)
        self._lengths[guid] = len(toks)
        for t in toks:
            self._postings[t.stem].setdefault(guid, []).append((t.start, t.end))

    def remove(self, guid: str) -> None:
        if self._texts.pop(guid, None) is None:
            return
        self._lengths.pop(guid, None)
        for stem_key in [k for k, v in self._postings.items() if guid in v]:
            del self._postings[stem_key][guid]
            if not self._postings[stem_key]:
                del self._postings[stem_key]

    def __len__(self) -> int:
        return len(self._texts)

    def search(self, query: str, *, match_all: bool = True, limit: int | None = None) -> list[Hit]:
        """Sources matching the query's stems (all of them, or any with ``match_all=False``),
        best first by TF-IDF; each hit has every matching word's span and a snippet."""
        stems = query_stems(query)
        if not stems:
            return []
        postings = [self._postings.get(s, {}) for s in stems]
        if match_all:
            candidates = set(self._texts)
            for p in postings:
                candidates &= set(p)
        else:
            candidates = set().union(*[set(p) for p in postings])
        n_docs = len(self._texts)
        hits: list[Hit] = []
        for guid in candidates:
            spans: list[tuple[int, int]] = []
            score = 0.0
            for p in postings:
                found = p.get(guid, [])
                if not found:
                    continue
                spans.extend(found)
                idf = math.log((1 + n_docs) / (1 + len(p))) + 1.0
                score += (len(found) / max(1, self._lengths[guid])) * idf
            spans.sort()
            text = self._texts[guid]
            hits.append(Hit(guid, score, tuple(spans), snippet(text, *spans[0])))
        hits.sort(key=lambda h: (-h.score, h.source))
        return hits[:limit] if limit is not None else hits


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    score: float
    matched: tuple[str, ...]  # stems shared with the passage


class CodeSuggester:
    """Ranks codes for a passage by TF-IDF cosine between the passage's stems and each code's
    profile: name words (weight 3), description words (2) and words of text already coded with
    it (1). Built once per project state; ``suggest`` is cheap."""

    NAME_WEIGHT = 3.0
    DESCRIPTION_WEIGHT = 2.0
    CODED_WEIGHT = 1.0

    def __init__(self, project: Project) -> None:
        profiles: dict[str, dict[str, float]] = {c.guid: defaultdict(float) for c in project.codes if c.codable}
        self._names = {c.guid: c.name for c in project.codes}
        for code in project.codes:
            if code.guid not in profiles:
                continue
            for t in tokens(code.name.replace("_", " ")):
                profiles[code.guid][t.stem] += self.NAME_WEIGHT
            for t in tokens(code.description):
                profiles[code.guid][t.stem] += self.DESCRIPTION_WEIGHT
        for coding in project.codings:
            src = project.source(coding.source)
            if src is None or coding.code not in profiles:
                continue
            for t in tokens(src.text[coding.start : coding.end]):
                profiles[coding.code][t.stem] += self.CODED_WEIGHT
        df: Counter[str] = Counter()
        for profile in profiles.values():
            df.update(profile.keys())
        n = max(1, len(profiles))
        self._idf = {s: math.log((1 + n) / (1 + d)) + 1.0 for s, d in df.items()}
        self._vectors: dict[str, dict[str, float]] = {}
        for guid, profile in profiles.items():
            vec = {s: w * self._idf[s] for s, w in profile.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            self._vectors[guid] = {s: v / norm for s, v in vec.items()}

    def suggest(self, passage: str, *, limit: int = 5) -> list[Suggestion]:
        counts = Counter(t.stem for t in tokens(passage))
        query = {s: c * self._idf[s] for s, c in counts.items() if s in self._idf}
        if not query:
            return []
        norm = math.sqrt(sum(v * v for v in query.values()))
        ranked: list[Suggestion] = []
        for guid, vec in self._vectors.items():
            shared = sorted(s for s in query if s in vec)
            if not shared:
                continue
            score = sum(query[s] * vec[s] for s in shared) / norm
            ranked.append(Suggestion(guid, self._names[guid], score, tuple(shared)))
        ranked.sort(key=lambda s: (-s.score, s.name, s.code))
        return ranked[:limit]


def suggest_codes(project: Project, passage: str, *, limit: int = 5) -> list[Suggestion]:
    """One-off convenience around :class:`CodeSuggester`."""
    return CodeSuggester(project).suggest(passage, limit=limit)

