"""Walking a PKKPR case through its steps over HTTP, for the API and browser tests.

Each step is a POST ``/v1/applications/{id}/steps/{action}`` by staff (the officer named
by NIP and name), in the law's order up to the Pertek and the FPR assessment; the
decision is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OFFICER = {"nip": "198501012010012001", "name": "Siti Nurhaliza"}
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("lengkap", {}),
    ("validasi", {}),
    ("tagih", {"kd_billing": "820260317001", "tgl_expire": "2026-03-24"}),
    ("unggah_bukti", {"file": "bukti.pdf"}),
    ("setujui_bayar", {}),
    ("pertek", {"nomor": "PTP/011", "tanggal": "2026-03-17", "file": "pertek.pdf"}),
    ("fpr", {"anggota": ["Bappeda", "PUPR"], "tanggal": "2026-03-17", "berita_acara": "BA-1",
             "rekomendasi": "Dapat disetujui"}),
]  # fmt: skip

Post = Callable[[str, dict[str, Any]], Any]  # (path, json) -> a response with status_code


def to_decision(post: Post, app_id: str) -> Any:
    """Every step up to the decision; the last response."""
    answer = None
    for action, data in STEPS:
        answer = post(
            f"/v1/applications/{app_id}/steps/{action}", {"data": data, "officer": OFFICER}
        )
        assert answer.status_code == 200, answer.text
    return answer


def decided(post: Post, app_id: str, **decision: Any) -> Any:
    """The case walked and approved (or as ``decision`` says); the decision's response."""
    to_decision(post, app_id)
    answer = post(
        f"/v1/reviews/{app_id}/decision",
        {"decision": "approve", "reasons": ["Sesuai"], "officer": OFFICER, **decision},
    )
    assert answer.status_code == 200, answer.text
    return answer
