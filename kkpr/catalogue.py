"""The KBLI 2020 catalogue: lookup by code, search by code prefix or Indonesian words."""

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


@dataclass(frozen=True)
class KbliItem:
    kode: str
    judul: str
    kategori: str

    def to_dict(self) -> dict[str, str]:
        return {"kode": self.kode, "judul": self.judul, "kategori": self.kategori}


class Catalogue:
    def __init__(self, items: list[KbliItem]) -> None:
        self.items = items
        self.by_code = {i.kode: i for i in items}
        self._words = [set(WORD.findall(i.judul.lower())) for i in items]

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
            ]
        )

    def get(self, kode: str) -> KbliItem | None:
        return self.by_code.get(kode.strip())

    def search(self, query: str, limit: int = 20) -> list[KbliItem]:
        """Codes starting with the digits of ``query``, or titles holding all its words.

        Words match as prefixes ("rumah mak" finds "Rumah Makan"), so the search
        works while a user is still typing.
        """
        q = query.strip().lower()
        if not q:
            return []
        if q.isdigit():
            return [i for i in self.items if i.kode.startswith(q)][:limit]
        words = WORD.findall(q)
        scored = []
        for item, title_words in zip(self.items, self._words, strict=True):
            if all(any(t.startswith(w) for t in title_words) for w in words):
                exact = sum(w in title_words for w in words)
                scored.append((-exact, len(item.judul), item.kode, item))
        scored.sort(key=lambda s: s[:3])
        return [s[3] for s in scored[:limit]]

    def near(self, kode: str, candidates: list[str], limit: int = 5) -> list[str]:
        """Codes among ``candidates`` that look like ``kode`` (typos, a missing digit)."""
        prefix = [c for c in candidates if kode and c.startswith(kode[:4])]
        close = difflib.get_close_matches(kode, candidates, n=limit, cutoff=0.8)
        seen: dict[str, None] = dict.fromkeys(prefix[:limit] + close)
        return list(seen)[:limit]


@lru_cache
def catalogue(path: Path = KBLI_CATALOGUE) -> Catalogue:
    return Catalogue.read(path)
