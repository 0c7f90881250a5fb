"""A Vosk model's own words, most frequent first, read from its language model.

Small Vosk models ship no words.txt: the vocabulary is the symbol table inside
graph/Gr.fst, an OpenFst "ngram" FST (OpenFst's NGramFst, a LOUDS tree of n-gram
contexts). Its root state holds one arc per word, weighted with the word's unigram
cost (-ln p), so the words a language speaks most are the cheapest arcs there. The
layout read here is NGramFstImpl::Init's: three counts, three bitmaps, the context
and future word labels, then backoff, final and future weights.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

FST_MAGIC, SYMBOLS_MAGIC = 2125659606, 2125658996
HAS_INPUT_SYMBOLS, HAS_OUTPUT_SYMBOLS = 1, 2


class VocabularyError(ValueError):
    """The model's graph is not one whose words and frequencies can be read here."""


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return value

    def text(self) -> str:
        size = self.take("<i")
        self.at += size
        return self.data[self.at - size:self.at].decode("utf-8")

    def symbols(self) -> dict[int, str]:
        if self.take("<i") != SYMBOLS_MAGIC:
            raise VocabularyError("no symbol table where OpenFst writes one")
        self.text()  # its name
        self.take("<q")  # the next free key
        table = {}
        for _ in range(self.take("<q")):
            word = self.text()
            table[self.take("<q")] = word
        return table


def _words(bits: int) -> int:
    """Bytes of a bitmap of `bits` bits, stored in 64-bit words."""
    return (bits + 63) // 64 * 8


def frequent_words(model: Path) -> list[tuple[str, float]]:
    """Every word of the model's graph/Gr.fst with its unigram cost, cheapest first."""
    path = model / "graph" / "Gr.fst"
    if not path.is_file():
        raise VocabularyError(f"{path} is missing (a model with a fixed graph has no list)")
    read = _Reader(path.read_bytes())
    if read.take("<i") != FST_MAGIC or read.text() != "ngram":
        raise VocabularyError(f"{path} is not an OpenFst ngram FST")
    read.text()  # arc type
    read.take("<i")  # version
    flags = read.take("<i")
    read.at += 8 * 4  # properties, start, states, arcs
    if flags & HAS_INPUT_SYMBOLS:
        read.symbols()
    if not flags & HAS_OUTPUT_SYMBOLS:
        raise VocabularyError(f"{path} has no word list")
    table = read.symbols()
    base = read.at
    states, futures, finals = struct.unpack_from("<QQQ", read.data, base)
    future_bits = base + 24 + _words(states * 2 + 1)
    labels = future_bits + _words(futures + states + 1) + _words(states) + (states + 1) * 4
    weights = labels + futures * 4
    weights += -(weights - base) % 4 + (states + 1) * 4 + finals * 4
    # The root's futures are the first run of set bits after the pseudo-root's 0 bit.
    bits = np.unpackbits(np.frombuffer(read.data, np.uint8, _words(futures + states + 1),
                                       future_bits), bitorder="little")
    count = int(np.argmin(bits[1:]))
    if not 0 < count <= len(table):
        raise VocabularyError(f"{path}: {count} words at the root of the language model")
    words = np.frombuffer(read.data, "<i4", count, labels)
    costs = np.frombuffer(read.data, "<f4", count, weights)
    return [(table[int(words[i])], float(costs[i])) for i in np.argsort(costs, kind="stable")
            if int(words[i]) in table]
