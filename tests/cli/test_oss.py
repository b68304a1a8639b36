"""``kkpr oss simulator`` as a newcomer runs it: a process on 127.0.0.1 that takes
OSS's calls, checks them, and lists them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from kkpr.oss import messages
from tests.pipeline.conftest import ROOT, wait_for
from tests.server import free_port


def post(url: str, body: Any, key: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "user_key": key},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def listening(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def test_the_simulator_process_checks_and_lists_what_it_gets(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "sim.log").open("wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("kkpr")), "oss", "simulator", "--port", str(port),
         "--user-key", "k"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        wait_for(lambda: listening(f"{base}/received"), "the simulator to listen")
        good = messages.izin_status(
            {"nib": "9120001234567", "id_proyek": "R-1", "oss_id": "P-1", "id_izin": "I-1",
             "kd_izin": "000000000001", "kd_status": "20", "tgl_status": "2026-03-17 09:00:00",
             "nip_status": "", "nama_status": "Sistem", "keterangan": "Validasi"}
        )  # fmt: skip
        status, answer = post(
            f"{base}/receiveLicenseStatus", json.loads(messages.body_text(good)), "k"
        )
        assert (status, answer["responreceiveLicenseStatus"]["kode"]) == (200, "200")
        bad = json.loads(messages.body_text(good))
        bad["IZINSTATUS"]["tgl_status"] = "2026-03-17T09:00:00Z"
        status, answer = post(f"{base}/receiveLicenseStatus", bad, "k")
        assert status == 400 and "tgl_status" in answer["responreceiveLicenseStatus"]["keterangan"]
        status, answer = post(f"{base}/receiveLicenseStatus", good, "wrong-key")
        assert (status, answer["responreceiveLicenseStatus"]["kode"]) == (401, "401")
        with urllib.request.urlopen(f"{base}/received", timeout=10) as resp:
            listed = json.loads(resp.read())
        assert [c["valid"] for c in listed] == [True, False]  # the wrong key is not a call
        assert listed[0]["body"]["IZINSTATUS"]["kd_status"] == "20"
        wait_for(lambda: "INVALID" in (tmp_path / "sim.log").read_text(), "the listing")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        log.close()
    printed = (tmp_path / "sim.log").read_text()
    assert "receiveLicenseStatus kd_status 20 id_izin I-1 valid" in printed
    assert "INVALID" in printed
