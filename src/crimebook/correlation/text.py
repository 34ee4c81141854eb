"""Text similarity without network models: character n-gram TF-IDF and cosine.

Works across Russian, Belarusian and English spellings of the same words because it compares
pieces of words, after folding the letters the two Cyrillic orthographies spell differently
(і/и, ў/у, ё/е, ъ/’). Pure Python; similarity is computed only for the candidate pairs a
caller asks about, so the cost is one sparse vector per text plus one dot product per pair.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

_FOLD = str.maketrans({"ё": "е", "і": "и", "ў": "у", "ъ": "ь", "’": "", "'": "", "ʼ": ""})
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)

Vector = dict[str, float]


def normalise(text: str) -> str:
    """Case-folded, accent-free, Cyrillic-orthography-folded words separated by one space."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_FOLD)
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


def ngrams(text: str, n: int = 3) -> Counter[str]:
    """Character n-grams of each word padded with spaces (short words count whole)."""
    grams: Counter[str] = Counter()
    for word in normalise(text).split():
        padded = f" {word} "
        if len(padded) <= n:
            grams[padded] += 1
            continue
        grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


class TfIdf:
    """Sublinear TF × smoothed IDF over a corpus, L2-normalised sparse vectors."""

    def __init__(self, texts: Sequence[str], n: int = 3) -> None:
        self.n = n
        counts = [ngrams(t, n) for t in texts]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        total = len(texts)
        self.idf = {g: math.log((1 + total) / (1 + k)) + 1.0 for g, k in df.items()}
        self.vectors = [self._vector(c) for c in counts]

    def _vector(self, counts: Counter[str]) -> Vector:
        v = {g: (1.0 + math.log(k)) * self.idf.get(g, 1.0) for g, k in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values()))
        return {g: x / norm for g, x in v.items()} if norm else {}

    def similarity(self, i: int, j: int) -> float:
        a, b = self.vectors[i], self.vectors[j]
        if len(a) > len(b):
            a, b = b, a
        return min(1.0, sum(x * b.get(g, 0.0) for g, x in a.items()))

    def similarities(self, pairs: Iterable[tuple[int, int]]) -> list[float]:
        return [self.similarity(i, j) for i, j in pairs]
