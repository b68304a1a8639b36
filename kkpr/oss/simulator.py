"""An OSS for development and tests: it sends ``receiveNIBKKPR`` and receives what kkpr
sends back, checking each body against the PIA's shapes.

``Simulator`` serves ``POST /receiveLicenseStatus`` and ``POST /receiveLicenseKKPR``
on 127.0.0.1 (header ``user_key``), answers as OSS does (``respon<call>`` with ``kode``
200, 400 for a body that does not fit, 401 for a wrong key), keeps every call it got,
and lists them at ``GET /received``. ``application_body`` builds a ``receiveNIBKKPR``
from a GeoJSON site; ``send_application`` posts it to a running kkpr.
"""

from __future__ import annotations

import hmac
import json
import threading
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pyproj import Geod
from shapely.geometry import shape

from kkpr.errors import KkprError
from kkpr.oss.messages import (
    OUTBOUND_CALLS,
    RECEIVE_NIB_KKPR,
    RESPONSE_CODES,
    check_outbound,
    license_answer,
)
from kkpr.oss.polygon import vertices_of

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Call:
    """One call the simulator received."""

    call: str
    at: str
    valid: bool
    problem: str | None
    body: Any


class Simulator:
    """OSS's side of the three KKPR calls, in a thread of this process."""

    def __init__(self, user_key: str, port: int = 0) -> None:
        self.user_key = user_key
        self.port = port
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ serving

    def start(self) -> Simulator:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/received":
                    self._answer(200, [asdict(c) for c in sim.received()])
                else:
                    self._answer(404, {"kode": "404", "keterangan": RESPONSE_CODES["404"]})

            def do_POST(self) -> None:
                call = self.path.strip("/").rsplit("/", 1)[-1]
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if call not in OUTBOUND_CALLS:
                    self._answer(404, license_answer(call, "404", RESPONSE_CODES["404"]))
                    return
                key = self.headers.get("user_key") or ""
                if not hmac.compare_digest(key, sim.user_key):
                    self._answer(401, license_answer(call, "401", RESPONSE_CODES["401"]))
                    return
                status, answer = sim.take(call, raw)
                self._answer(status, answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((HOST, self.port), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """OSS goes down (the port stops answering; ``start`` brings it back on it)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def take(self, call: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        """Check one received body; the HTTP status and answer OSS would give."""
        try:
            body = json.loads(raw)
            check_outbound(call, body)
            problem = None
        except ValueError as exc:  # json's errors and OssValueError (an InvalidInput)
            body, problem = raw.decode("utf-8", "replace"), str(exc)
        except KkprError as exc:
            body, problem = raw.decode("utf-8", "replace"), exc.text
        with self._lock:
            self.calls.append(
                Call(call, datetime.now(UTC).isoformat(), problem is None, problem, body)
            )
        if problem:
            return 400, license_answer(call, "400", f"{RESPONSE_CODES['400']}: {problem}"[:255])
        return 200, license_answer(call, "200", RESPONSE_CODES["200"])

    def received(self) -> list[Call]:
        with self._lock:
            return list(self.calls)


# ---------------------------------------------------------------- sending


def application_body(
    site: dict[str, Any],
    kbli: str,
    *,
    id_izin: str,
    nib: str = "9120001234567",
    oss_id: str | None = None,
    id_proyek: str | None = None,
    kd_izin: str = "000000000001",
    kd_daerah: str = "5371",
    nama_perseroan: str = "CV Contoh Simulator",
    nama_kegiatan: str = "Kegiatan contoh",
    luas_tanah: float | None = None,
    satuan_luas_tanah: str = "01",
    jumlah_lantai: int = 1,
    luas_lantai: float = 100,
    skala_usaha: str = "01",
    status_penanaman_modal: str = "02",
    alamat_usaha: str = "Alamat contoh",
) -> dict[str, Any]:
    """A ``receiveNIBKKPR`` body for one project on ``site`` (GeoJSON, longitude/latitude);
    ``luas_tanah`` defaults to the site's area in m²."""
    geometry = site.get("geometry", site) if site.get("type") == "Feature" else site
    if site.get("type") == "FeatureCollection":
        geometry = site["features"][0]["geometry"]
    vertices = vertices_of(geometry)
    if luas_tanah is None:
        area, _perimeter = Geod(ellps="WGS84").geometry_area_perimeter(shape(geometry))
        luas_tanah = round(abs(area), 2)
    proyek = id_proyek or f"R-{id_izin}"
    return {
        "dataNIB": {
            "tgl_terkirim_oss": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "nib": nib,
            "oss_id": oss_id or f"P-{id_izin}",
            "id_izin": id_izin,
            "kd_izin": kd_izin,
            "kd_daerah": kd_daerah,
            "kewenangan": "02",
            "jenis_pelaku_usaha": "01",
            "status_penanaman_modal": status_penanaman_modal,
            "nama_perseroan": nama_perseroan,
            "flag_umk": "Y" if skala_usaha in ("01", "02") else "N",
            "skala_usaha": skala_usaha,
            "data_proyek": [
                {
                    "id_proyek": proyek,
                    "kbli": kbli,
                    "nama_kegiatan": nama_kegiatan,
                    "memiliki_menguasai": "Y",
                    "status_tanah": "02",
                    "luas_tanah": luas_tanah,
                    "satuan_luas_tanah": satuan_luas_tanah,
                    "jumlah_lantai_bangunan": jumlah_lantai,
                    "luas_lantai_bangunan": luas_lantai,
                    "flag_psn": "N",
                    "data_lokasi_proyek": [
                        {
                            "id_proyek_lokasi": f"L-{id_izin}",
                            "proyek_daerah_id": kd_daerah,
                            "alamat_usaha": alamat_usaha,
                            "jenis_lokasi": "02",
                            "data_lokasi_proyek": vertices,
                        }
                    ],
                }
            ],
            "data_checklist": [
                {"id_proyek": proyek, "id_izin": id_izin, "kd_izin": kd_izin, "nama_izin": "PKKPR"}
            ],
        }
    }


def send_application(kkpr_url: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
    """POST ``body`` to ``kkpr_url``/oss/receiveNIBKKPR; (HTTP status, answer)."""
    request = urllib.request.Request(
        f"{kkpr_url.rstrip('/')}/oss/{RECEIVE_NIB_KKPR}",
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "Token": token},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return int(resp.status), json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), json.loads(exc.read() or b"null")
