"""OSS's coded applicant fields in words, as OSS's field list defines them."""

from __future__ import annotations

from kkpr.oss.codes import code_words, words_of


def test_codes_of_the_field_list_read_as_words() -> None:
    assert code_words("skala_usaha", "01") == {"id": "usaha mikro", "en": "micro enterprise"}
    assert code_words("skala_usaha", "04") == {"id": "usaha besar", "en": "large enterprise"}
    assert code_words("status_tanah", "03") == {"id": "pinjam pakai", "en": "on loan"}
    assert code_words("status_penanaman_modal", "pmdn") == {
        "id": "penanaman modal dalam negeri",
        "en": "domestic investment",
    }


def test_a_code_the_list_does_not_define_is_not_guessed() -> None:
    # OSS lists PMA/PMDN without codes: "02" stays as it came
    assert code_words("status_penanaman_modal", "02") is None
    assert code_words("skala_usaha", "09") is None
    assert code_words("no_such_field", "01") is None
    assert code_words("skala_usaha", None) is None
    assert words_of({"skala_usaha": "02", "status_penanaman_modal": "02", "nib": "9120"}) == {
        "skala_usaha": {"id": "usaha kecil", "en": "small enterprise"}
    }
