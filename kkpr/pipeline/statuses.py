"""The PKKPR assessment as a state machine whose every state is an OSS ``kd_status``.

``STATES`` is the one table of states: each has its OSS code (``OSS_PIA.md``,
``IZINSTATUS.kd_status``), its words for the applicant and for staff, and whether it
ends the assessment. ``ACTIONS`` is the one table of moves: which states an action
starts from, where it leads, who takes it, and what it must carry. Everything here is
pure: ``kkpr.pipeline.assessment`` checks each move with ``next_position`` before
writing anything, and an impossible move raises ``Conflict``.

Two OSS steps are records within a state rather than states of their own, because
OSS has no code for them: the applicant's proof of payment (kept in 32, waiting for
its verification) and the spatial-planning forum's assessment (kept in 45, after the
land office's Pertek). The clock states 41-44 stop or restart the service-level
clock; the application keeps its ``step`` (the last assessment state) meanwhile, and
after 42 or 44 it moves on from that step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kkpr.errors import Conflict

# the outbox events of a case (kkpr.pipeline.outbox): each state change, what an OSS
# IZINSTATUS needs; the decision, what an IZINFINALKKPR needs
KKPR_STATUS = "kkpr.status"
KKPR_FINAL = "kkpr.final"


class State(StrEnum):
    PERSYARATAN_DIISI = "persyaratan_diisi"
    DOKUMEN_LENGKAP = "dokumen_lengkap"
    DOKUMEN_TIDAK_LENGKAP = "dokumen_tidak_lengkap"
    VALIDASI = "validasi"
    MENUNGGU_VERIFIKASI_BAYAR = "menunggu_verifikasi_bayar"
    PEMBAYARAN_DISETUJUI = "pembayaran_disetujui"
    UNGGAH_ULANG_BUKTI_BAYAR = "unggah_ulang_bukti_bayar"
    PEMERIKSAAN_LAPANGAN = "pemeriksaan_lapangan"
    SLA_DIHENTIKAN = "sla_dihentikan"
    SLA_DILANJUTKAN = "sla_dilanjutkan"
    SLA_DIHENTIKAN_DIULANG = "sla_dihentikan_diulang"
    SLA_DIULANG = "sla_diulang"
    PERTIMBANGAN_TEKNIS = "pertimbangan_teknis"
    DISETUJUI = "disetujui"
    FIKTIF_POSITIF = "fiktif_positif"
    DITOLAK = "ditolak"
    PERSYARATAN_DITOLAK = "persyaratan_ditolak"


@dataclass(frozen=True)
class StateInfo:
    kd_status: str  # the OSS code, sent as text
    id: str  # plain words, Indonesian
    en: str  # plain words, English
    final: bool = False
    clock: str | None = None  # what the state does to the clock: start, stop, resume, reset


S = State
STATES: dict[State, StateInfo] = {
    S.PERSYARATAN_DIISI: StateInfo("09", "Persyaratan diisi, menunggu pemeriksaan kelengkapan",
                                   "Requirements filled in, awaiting the completeness check"),
    S.DOKUMEN_LENGKAP: StateInfo("10", "Dokumen lengkap", "Documents complete"),
    S.DOKUMEN_TIDAK_LENGKAP: StateInfo("11", "Dokumen belum lengkap, dikembalikan untuk "
                                       "diperbaiki", "Documents incomplete, returned for "
                                       "correction"),
    S.VALIDASI: StateInfo("20", "Validasi oleh petugas", "Validation by staff"),
    S.MENUNGGU_VERIFIKASI_BAYAR: StateInfo("32", "Tagihan PNBP terbit; menunggu bukti bayar "
                                           "dan verifikasinya", "PNBP bill issued; awaiting "
                                           "the proof of payment and its verification"),
    S.PEMBAYARAN_DISETUJUI: StateInfo("33", "Pembayaran PNBP disetujui", "PNBP payment approved",
                                      clock="start"),
    S.UNGGAH_ULANG_BUKTI_BAYAR: StateInfo("34", "Bukti bayar harus diunggah ulang",
                                          "The proof of payment must be uploaded again"),
    S.PEMERIKSAAN_LAPANGAN: StateInfo("40", "Pemeriksaan lapangan", "Field inspection"),
    S.SLA_DIHENTIKAN: StateInfo("41", "Waktu layanan dihentikan sementara",
                                "Service clock stopped", clock="stop"),
    S.SLA_DILANJUTKAN: StateInfo("42", "Waktu layanan dilanjutkan", "Service clock resumed",
                                 clock="resume"),
    S.SLA_DIHENTIKAN_DIULANG: StateInfo("43", "Waktu layanan dihentikan untuk diulang dari nol",
                                        "Service clock stopped, to restart from zero",
                                        clock="stop"),
    S.SLA_DIULANG: StateInfo("44", "Waktu layanan diulang dari nol",
                             "Service clock restarted from zero", clock="reset"),
    S.PERTIMBANGAN_TEKNIS: StateInfo("45", "Pertimbangan teknis pertanahan diterima; penilaian "
                                     "Forum Penataan Ruang", "Land office technical consideration "
                                     "received; spatial-planning forum assessment"),
    S.DISETUJUI: StateInfo("50", "Disetujui", "Approved", final=True, clock="end"),
    S.FIKTIF_POSITIF: StateInfo("57", "Disetujui demi hukum karena batas waktu terlampaui "
                                "(fiktif positif)", "Approved by law for a missed deadline "
                                "(fiktif positif)", final=True, clock="end"),
    S.DITOLAK: StateInfo("90", "Ditolak", "Rejected", final=True, clock="end"),
    S.PERSYARATAN_DITOLAK: StateInfo("93", "Persyaratan ditolak", "Requirements rejected",
                                     final=True, clock="end"),
}  # fmt: skip

# the assessment steps in which the service-level clock runs (after complete documents
# and payment, before the decision); the clock states keep one of these as their step
CLOCK_STEPS = (S.PEMBAYARAN_DISETUJUI, S.PEMERIKSAAN_LAPANGAN, S.PERTIMBANGAN_TEKNIS)
PAUSED = (S.SLA_DIHENTIKAN, S.SLA_DIHENTIKAN_DIULANG)
CLOCK_STATES = (*PAUSED, S.SLA_DILANJUTKAN, S.SLA_DIULANG)


def kd_status(state: State | str) -> str:
    return STATES[State(state)].kd_status


def state_of(code: str) -> State:
    """The state of an OSS code (the mapping is one to one)."""
    for state, info in STATES.items():
        if info.kd_status == code:
            return state
    raise KeyError(code)


class Actor(StrEnum):
    STAFF = "staff"
    APPLICANT = "applicant"  # the applicant, directly or through OSS
    SYSTEM = "system"  # kkpr itself (the deadline sweep)


class Action(StrEnum):
    LENGKAP = "lengkap"  # completeness check: complete
    KEMBALIKAN = "kembalikan"  # completeness check: returned with the missing items
    PERBAIKI = "perbaiki"  # the applicant's correction
    VALIDASI = "validasi"
    TAGIH = "tagih"  # PNBP bill (SPS) issued
    UNGGAH_BUKTI = "unggah_bukti"  # proof of payment uploaded
    SETUJUI_BAYAR = "setujui_bayar"
    TOLAK_BUKTI = "tolak_bukti"
    PERIKSA_LAPANGAN = "periksa_lapangan"
    PERTEK = "pertek"  # the land office's technical consideration
    FPR = "fpr"  # the spatial-planning forum's assessment
    PUTUSKAN = "putuskan"  # the decision: approved in full or in part, or rejected
    TOLAK_PERSYARATAN = "tolak_persyaratan"
    HENTIKAN = "hentikan"  # stop the clock
    LANJUTKAN = "lanjutkan"  # resume it
    HENTIKAN_ULANG = "hentikan_ulang"  # stop it, to restart from zero
    ULANG = "ulang"  # restart it from zero
    FIKTIF_POSITIF = "fiktif_positif"  # the deadline passed: approved by law


@dataclass(frozen=True)
class Move:
    sources: tuple[State, ...]  # the step (or clock state) the action starts from
    targets: tuple[State, ...]  # where it may lead (a decision chooses among several)
    actor: Actor
    reason_required: bool
    clock: bool = False  # sources are clock states (not steps)


A = Action
ACTIONS: dict[Action, Move] = {
    A.LENGKAP: Move((S.PERSYARATAN_DIISI,), (S.DOKUMEN_LENGKAP,), Actor.STAFF, False),
    A.KEMBALIKAN: Move((S.PERSYARATAN_DIISI,), (S.DOKUMEN_TIDAK_LENGKAP,), Actor.STAFF, True),
    A.PERBAIKI: Move((S.DOKUMEN_TIDAK_LENGKAP,), (S.PERSYARATAN_DIISI,), Actor.APPLICANT, False),
    A.VALIDASI: Move((S.DOKUMEN_LENGKAP,), (S.VALIDASI,), Actor.STAFF, False),
    A.TAGIH: Move((S.VALIDASI,), (S.MENUNGGU_VERIFIKASI_BAYAR,), Actor.STAFF, False),
    A.UNGGAH_BUKTI: Move((S.MENUNGGU_VERIFIKASI_BAYAR, S.UNGGAH_ULANG_BUKTI_BAYAR),
                         (S.MENUNGGU_VERIFIKASI_BAYAR,), Actor.APPLICANT, False),
    A.SETUJUI_BAYAR: Move((S.MENUNGGU_VERIFIKASI_BAYAR,), (S.PEMBAYARAN_DISETUJUI,),
                          Actor.STAFF, False),
    A.TOLAK_BUKTI: Move((S.MENUNGGU_VERIFIKASI_BAYAR,), (S.UNGGAH_ULANG_BUKTI_BAYAR,),
                        Actor.STAFF, True),
    A.PERIKSA_LAPANGAN: Move((S.PEMBAYARAN_DISETUJUI,), (S.PEMERIKSAAN_LAPANGAN,),
                             Actor.STAFF, False),
    A.PERTEK: Move((S.PEMBAYARAN_DISETUJUI, S.PEMERIKSAAN_LAPANGAN), (S.PERTIMBANGAN_TEKNIS,),
                   Actor.STAFF, False),
    A.FPR: Move((S.PERTIMBANGAN_TEKNIS,), (S.PERTIMBANGAN_TEKNIS,), Actor.STAFF, False),
    A.PUTUSKAN: Move((S.PERTIMBANGAN_TEKNIS,), (S.DISETUJUI, S.DITOLAK), Actor.STAFF, True),
    A.TOLAK_PERSYARATAN: Move((S.PERSYARATAN_DIISI, S.DOKUMEN_TIDAK_LENGKAP, S.DOKUMEN_LENGKAP,
                               S.VALIDASI), (S.PERSYARATAN_DITOLAK,), Actor.STAFF, True),
    A.HENTIKAN: Move(CLOCK_STEPS, (S.SLA_DIHENTIKAN,), Actor.STAFF, True),
    A.LANJUTKAN: Move((S.SLA_DIHENTIKAN,), (S.SLA_DILANJUTKAN,), Actor.STAFF, True, clock=True),
    A.HENTIKAN_ULANG: Move(CLOCK_STEPS, (S.SLA_DIHENTIKAN_DIULANG,), Actor.STAFF, True),
    A.ULANG: Move((S.SLA_DIHENTIKAN_DIULANG,), (S.SLA_DIULANG,), Actor.STAFF, True, clock=True),
    A.FIKTIF_POSITIF: Move(CLOCK_STEPS, (S.FIKTIF_POSITIF,), Actor.SYSTEM, True),
}  # fmt: skip


@dataclass(frozen=True)
class Position:
    """Where an assessment stands: its state (the OSS status last sent) and its step
    (the last assessment state, which a clock state keeps while the clock is stopped)."""

    state: State
    step: State

    @property
    def paused(self) -> bool:
        return self.state in PAUSED

    @property
    def final(self) -> bool:
        return STATES[self.state].final

    def actions(self) -> list[Action]:
        """What may happen next, in table order."""
        return [
            a for a in ACTIONS if ACTIONS[a].actor != Actor.SYSTEM and _starts(ACTIONS[a], self)
        ]


START = Position(S.PERSYARATAN_DIISI, S.PERSYARATAN_DIISI)


def _starts(move: Move, at: Position) -> bool:
    if move.clock:
        return at.state in move.sources
    return not at.paused and not at.final and at.step in move.sources


def next_position(at: Position, action: Action | str, target: State | None = None) -> Position:
    """The position after ``action`` (with ``target`` where the action has several)."""
    action = Action(action)
    move = ACTIONS[action]
    if not _starts(move, at):
        allowed = ", ".join(at.actions()) or "—"
        raise Conflict(
            f"Langkah {action} tidak dapat dilakukan saat permohonan berstatus "
            f"{at.state} ({kd_status(at.state)}: {STATES[at.state].id})",
            f"Action {action} cannot be taken while the application is {at.state} "
            f"({kd_status(at.state)}: {STATES[at.state].en})",
            where="action",
            hint_id=f"Langkah yang dapat dilakukan sekarang: {allowed}",
            hint_en=f"Actions possible now: {allowed}",
            extra={"state": str(at.state), "kd_status": kd_status(at.state),
                   "allowed": [str(a) for a in at.actions()]},
        )  # fmt: skip
    to = target or move.targets[0]
    if to not in move.targets:
        raise Conflict(
            f"Langkah {action} tidak menghasilkan {to}",
            f"Action {action} does not lead to {to}",
            where="action",
            hint_id=f"Pilih salah satu: {', '.join(move.targets)}",
            hint_en=f"Choose one of: {', '.join(move.targets)}",
        )
    step = at.step if to in CLOCK_STATES else to
    return Position(to, step)
