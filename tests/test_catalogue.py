"""The KBLI catalogue as an applicant searches it: everyday words find the activity
they mean (the phrase table ``zoning_data/kbli_frasa.csv``), typos forgiven, digits
find codes, and every phrase points at codes that exist in KBLI 2020."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kkpr.catalogue import PHRASES_FILE, Catalogue, catalogue, read_phrases
from kkpr.settings import KBLI_CATALOGUE

# what a business owner types, and the KBLI 2020 code that must be among the first three
EVERYDAY: list[tuple[str, str]] = [
    ("warung makan", "56102"),
    ("rumah makan padang", "56102"),
    ("warteg", "56102"),
    ("restoran", "56101"),
    ("warung bakso", "56103"),
    ("katering", "56210"),
    ("nasi kotak", "56210"),
    ("warung kopi", "56303"),
    ("Warung Kopi", "56303"),
    ("warkop", "56303"),
    ("kafe", "56303"),
    ("cafe", "56303"),
    ("coffee shop", "56303"),
    ("kedai jus", "56304"),
    ("kos-kosan", "55900"),
    ("kos kosan", "55900"),
    ("koskosan", "55900"),
    ("kost", "55900"),
    ("rumah kos", "55900"),
    ("kontrakan", "68111"),
    ("homestay", "55130"),
    ("penginapan", "55120"),
    ("hotel", "55110"),
    ("toko kelontong", "47112"),
    ("warung sembako", "47112"),
    ("minimarket", "47111"),
    ("swalayan", "47111"),
    ("toko bangunan", "47528"),
    ("toko besi", "47521"),
    ("toko baju", "47711"),
    ("toko hp", "47414"),
    ("konter pulsa", "47414"),
    ("toko roti", "47242"),
    ("toko buah", "47212"),
    ("toko obat", "47722"),
    ("apotek", "47721"),
    ("apotik", "47721"),
    ("toko kosmetik", "47724"),
    ("pangkalan gas", "47772"),
    ("pertamini", "47302"),
    ("depot air minum", "11052"),
    ("toko mebel", "47591"),
    ("pet shop", "47751"),
    ("toko bunga", "47761"),
    ("fotokopi", "82190"),
    ("salon", "96112"),
    ("potong rambut", "96111"),
    ("barbershop", "96111"),
    ("pijat refleksi", "96121"),
    ("laundry", "96200"),
    ("laundry kiloan", "96200"),
    ("penjahit", "14120"),
    ("bengkel motor", "45407"),
    ("bengkel mobil", "45201"),
    ("tambal ban", "45407"),
    ("cuci motor", "45202"),
    ("cuci mobil", "45202"),
    ("bengkel las", "25920"),
    ("servis hp", "95120"),
    ("servis ac", "95220"),
    ("rental mobil", "77100"),
    ("klinik", "86105"),
    ("klinik gigi", "86203"),
    ("praktik dokter", "86201"),
    ("bidan", "86901"),
    ("puskesmas", "86102"),
    ("rumah sakit", "86103"),
    ("sekolah dasar", "85121"),
    ("smp", "85122"),
    ("sma", "85220"),
    ("smk", "85240"),
    ("tk", "85132"),
    ("paud", "85133"),
    ("bimbel", "85495"),
    ("kursus bahasa inggris", "85493"),
    ("pesantren", "85451"),
    ("masjid", "94910"),
    ("musala", "94910"),
    ("gereja", "94910"),
    ("pura", "94910"),
    ("gudang", "52101"),
    ("cold storage", "52102"),
    ("pabrik tahu", "10392"),
    ("tenun ikat", "13122"),
    ("mebel kayu", "31001"),
    ("gym", "93116"),
    ("lapangan futsal", "93114"),
    ("karaoke", "93292"),
    ("kantor notaris", "69104"),
    ("koperasi simpan pinjam", "64141"),
    ("pegadaian", "64921"),
    ("ekspedisi", "52291"),
    ("kurir", "53201"),
    ("tempat parkir", "52215"),
    ("ternak ayam", "01461"),
    ("kolam pancing", "93233"),
]

# typed with a slip of the thumb
TYPOS: list[tuple[str, str]] = [
    ("laundy", "96200"),
    ("londri", "96200"),
    ("warung kopii", "56303"),
    ("bengkell motor", "45407"),
    ("aptek", "47721"),
    ("minimarkt", "47111"),
]


def top3(query: str) -> list[str]:
    return [i.kode for i in catalogue().search(query, 3)]


def test_the_test_list_is_long_enough() -> None:
    assert len(EVERYDAY) >= 60


@pytest.mark.parametrize(("query", "kode"), EVERYDAY)
def test_everyday_words_find_their_activity_in_the_first_three(query: str, kode: str) -> None:
    assert kode in top3(query), (query, top3(query))


@pytest.mark.parametrize(("query", "kode"), TYPOS)
def test_a_typo_still_finds_the_activity(query: str, kode: str) -> None:
    assert kode in top3(query), (query, top3(query))


def test_salon_means_a_beauty_salon_first_and_never_massage_before_it() -> None:
    codes = [i.kode for i in catalogue().search("salon", 10)]
    assert codes[0] == "96112"  # Aktivitas Salon Kecantikan
    assert "96121" not in codes[:3]  # Rumah Pijat


def test_while_typing_the_phrase_is_found_from_its_beginning() -> None:
    assert top3("warung ko")[0] == "56303"
    assert top3("tambal")[0] == "45407"


def test_digits_are_a_code_prefix_not_a_phrase() -> None:
    assert all(k.startswith("5610") for k in top3("5610"))


def test_the_phrase_table_is_large_and_every_code_exists_in_kbli_2020() -> None:
    phrases = read_phrases(KBLI_CATALOGUE.with_name(PHRASES_FILE))
    assert len(phrases) >= 300
    codes = {i.kode for i in catalogue().items}
    missing = [(p.frasa, k) for p in phrases for k in p.codes if k not in codes]
    assert not missing
    keys = [p.key for p in phrases]
    assert len(keys) == len(set(keys)), "a phrase is listed twice"
    for needed in ("warung makan", "kafe", "kos-kosan", "tambal ban", "salon", "laundry"):
        assert needed in {p.frasa for p in phrases}


def test_without_a_phrase_table_the_titles_still_answer(tmp_path: Path) -> None:
    path = tmp_path / "kbli2020.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["kode", "judul", "kategori"])
        w.writerow(["56102", "Rumah/Warung Makan", "I"])
    alone = Catalogue.read(path)
    assert alone.phrases == []
    assert [i.kode for i in alone.search("warung makan")] == ["56102"]
