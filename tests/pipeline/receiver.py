"""A webhook receiver as the permit system would run it, in a process of its own.

    python -m tests.pipeline.receiver --dir D --secret S [--port P]

It refuses a body whose Standard Webhooks signature (``webhook-signature`` over
``webhook-id.webhook-timestamp.body``) does not hold or is stale (401),
appends every accepted request to ``D/received.log`` (``event_id application_id seq``),
and applies an event once: its id goes to ``D/applied.log`` only the first time it is
seen, across restarts (the log is read back at start). While the file ``D/hold`` exists
it records a request and then holds the answer, as a slow receiver does. It writes its
port to ``D/port`` when it is listening.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kkpr.pipeline.delivery import ID_HEADER, signature_ok

HOLD_LIMIT_S = 120.0


def serve(folder: Path, secret: str, port: int) -> None:
    lock = threading.Lock()
    applied_log = folder / "applied.log"
    seen = (
        {line.split()[0] for line in applied_log.read_text().splitlines() if line.strip()}
        if applied_log.exists()
        else set()
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not signature_ok(body, secret, dict(self.headers.items())):
                with (folder / "rejected.log").open("a") as f:
                    f.write(f"{self.headers.get(ID_HEADER)}\n")
                self.send_response(401)
                self.end_headers()
                return
            event = json.loads(body)
            line = f"{event['id']} {event['application_id']} {event['seq']} {event['type']}\n"
            assert self.headers.get(ID_HEADER) == event["id"]
            with lock:
                with (folder / "received.log").open("a") as f:
                    f.write(line)
                if event["id"] not in seen:  # de-duplicate by event id
                    seen.add(event["id"])
                    with applied_log.open("a") as f:
                        f.write(line)
            started = time.monotonic()
            while (folder / "hold").exists() and time.monotonic() - started < HOLD_LIMIT_S:
                time.sleep(0.05)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    # written aside then renamed: the test never reads a half-written port
    (folder / "port.tmp").write_text(str(server.server_address[1]))
    (folder / "port.tmp").rename(folder / "port")
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    serve(args.dir, args.secret, args.port)


if __name__ == "__main__":
    main()
