"""The KBLI 2020 catalogue: lookup by code, search by code prefix or Indonesian words.

Beside the official titles, ``kbli_frasa.csv`` (next to the catalogue file) maps the
words people use for their business ("warung kopi", "kos-kosan", "tambal ban") to KBLI
codes in the order of their everyday meaning; a search looks there first, forgiving a
typo, then in the titles.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kkpr.settings import KBLI_CATALOGUE

SECTIONS = {
    "A": "Pertanian, Kehutanan dan Perikanan",
    "B": "Pertambangan dan Penggalian",
    "C": "Industri Pengolahan",
    "D": "Pengadaan Listrik, Gas, Uap/Air Panas dan Udara Dingin",
    "E": "Treatment Air, Treatment Air Limbah, Treatment dan Pemulihan Material Sampah, "
    "dan Aktivitas Remediasi",
    "F": "Konstruksi",
    "G": "Perdagangan Besar dan Eceran; Reparasi dan Perawatan Mobil dan Sepeda Motor",
    "H": "Pengangkutan dan Pergudangan",
    "I": "Penyediaan Akomodasi dan Penyediaan Makan Minum",
    "J": "Informasi dan Komunikasi",
    "K": "Aktivitas Keuangan dan Asuransi",
    "L": "Real Estat",
    "M": "Aktivitas Profesional, Ilmiah dan Teknis",
    "N": "Aktivitas Penyewaan dan Sewa Guna Usaha Tanpa Hak Opsi, Ketenagakerjaan, "
    "Agen Perjalanan dan Penunjang Usaha Lainnya",
    "O": "Administrasi Pemerintahan, Pertahanan dan Jaminan Sosial Wajib",
    "P": "Pendidikan",
    "Q": "Aktivitas Kesehatan Manusia dan Aktivitas Sosial",
    "R": "Kesenian, Hiburan dan Rekreasi",
    "S": "Aktivitas Jasa Lainnya",
    "T": "Aktivitas Rumah Tangga sebagai Pemberi Kerja",
    "U": "Aktivitas Badan Internasional dan Badan Ekstra Internasional Lainnya",
}
WORD = re.compile(r"[a-z0-9]+")
PHRASES_FILE = "kbli_frasa.csv"
TYPO_RATIO = 0.8  # how alike a query and a phrase must be to count as a typo of it


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case words, an apostrophe dropped ("se'i" is "sei"), hyphens splitting."""
    return tuple(WORD.findall(text.lower().replace("'", "").replace("’", "")))


@dataclass(frozen=True)
class Phrase:
    """An everyday phrase and its KBLI codes, the everyday meaning first."""

    frasa: str
    codes: tuple[str, ...]
    kelompok: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        return words_of(self.frasa)

    @property
    def key(self) -> str:  # "kos-kosan", "kos kosan" and "koskosan" are one phrase
        return "".join(self.words)


def read_phrases(path: Path) -> list[Phrase]:
    """``frasa,kbli,kelompok`` rows; ``kbli`` holds codes separated by spaces, ranked."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            Phrase(r["frasa"].strip(), tuple(r["kbli"].split()), (r.get("kelompok") or "").strip())
            for r in csv.DictReader(fh)
            if (r.get("frasa") or "").strip() and (r.get("kbli") or "").strip()
        ]


@dataclass(frozen=True)
class KbliItem:
    kode: str
    judul: str
    kategori: str

    def to_dict(self) -> dict[str, str]:
        return {"kode": self.kode, "judul": self.judul, "kategori": self.kategori}


class Catalogue:
    def __init__(self, items: list[KbliItem], phrases: list[Phrase] | None = None) -> None:
        self.items = items
        self.by_code = {i.kode: i for i in items}
        self._words = [set(WORD.findall(i.judul.lower())) for i in items]
        self.phrases = phrases or []
        self._phrase_keys = [(p, p.words, p.key) for p in self.phrases]

    @classmethod
    def read(cls, path: Path) -> Catalogue:
        if not path.exists():
            return cls([])
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        return cls(
            [
                KbliItem(r["kode"].strip(), r["judul"].strip(), r.get("kategori", "").strip())
                for r in rows
                if r.get("kode")
            ],
            read_phrases(path.with_name(PHRASES_FILE)),
        )

    def phrase_hits(self, query: str, limit: int = 20) -> list[tuple[str, str]]:
        """``(kode, frasa)`` for the everyday phrases ``query`` names, best first.

        The phrase itself, then phrases it begins (while typing: "warung ko"), then
        phrases holding all its words as prefixes, each phrase's codes in their order;
        when none of those match, phrases that look like a typo of the query.
        """
        q = words_of(query)
        if not q or query.strip().isdigit():
            return []
        qkey = "".join(q)
        scored: list[tuple[int, int, int, Phrase]] = []
        for i, (phrase, words, key) in enumerate(self._phrase_keys):
            if words == q or key == qkey:
                rank = 0
            elif (
                words[: len(q) - 1] == q[:-1]
                and len(words) >= len(q)
                and (words[len(q) - 1].startswith(q[-1]))
            ):
                rank = 1
            elif all(any(w.startswith(x) for w in words) for x in q):
                rank = 2
            else:
                continue
            scored.append((rank, len(words), i, phrase))
        if not scored and len(qkey) >= 4:
            for i, (phrase, _words, key) in enumerate(self._phrase_keys):
                matcher = difflib.SequenceMatcher(None, qkey, key)
                if matcher.quick_ratio() >= TYPO_RATIO and matcher.ratio() >= TYPO_RATIO:
                    scored.append((3, -round(matcher.ratio() * 100), i, phrase))
        scored.sort(key=lambda s: s[:3])
        hits: dict[str, str] = {}
        for *_rank, phrase in scored:
            for kode in phrase.codes:
                hits.setdefault(kode, phrase.frasa)
            if len(hits) >= limit:
                break
        return list(hits.items())[:limit]

    def get(self, kode: str) -> KbliItem | None:
        return self.by_code.get(kode.strip())

    def search(self, query: str, limit: int = 20) -> list[KbliItem]:
        """Codes starting with the digits of ``query``; or the codes of the everyday
        phrases it names (:meth:`phrase_hits`), then titles holding all its words.

        Words match as prefixes ("rumah mak" finds "Rumah Makan"), so the search
        works while a user is still typing.
        """
        q = query.strip().lower()
        if not q:
            return []
        if q.isdigit():
            return [i for i in self.items if i.kode.startswith(q)][:limit]
        found = [self.by_code[k] for k, _f in self.phrase_hits(q, limit) if k in self.by_code]
        words = WORD.findall(q)
        scored = []
        for item, title_words in zip(self.items, self._words, strict=True):
            if all(any(t.startswith(w) for t in title_words) for w in words):
                exact = sum(w in title_words for w in words)
                scored.append((-exact, len(item.judul), item.kode, item))
        scored.sort(key=lambda s: s[:3])
        seen = {i.kode for i in found}
        found += [s[3] for s in scored if s[3].kode not in seen]
        return found[:limit]

    def near(self, kode: str, candidates: list[str], limit: int = 5) -> list[str]:
        """Codes among ``candidates`` that look like ``kode`` (typos, a missing digit)."""
        prefix = [c for c in candidates if kode and c.startswith(kode[:4])]
        close = difflib.get_close_matches(kode, candidates, n=limit, cutoff=0.8)
        seen: dict[str, None] = dict.fromkeys(prefix[:limit] + close)
        return list(seen)[:limit]


@lru_cache
def catalogue(path: Path = KBLI_CATALOGUE) -> Catalogue:
    return Catalogue.read(path)
