"""A few PNG map tiles and a Nominatim-compatible ``/search`` served on 127.0.0.1,
standing in for a tile provider and a geocoder in tests: the street map is pale grey,
the aerial one dark green, the geocoder knows one place; every request is recorded."""

from __future__ import annotations

import json
import re
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TILE = re.compile(r"^/(street|aerial)/(\d+)/(\d+)/(\d+)\.png$")
COLOURS = {"street": (236, 232, 224), "aerial": (40, 90, 50)}
# what the stand-in geocoder answers to any search (jsonv2: boundingbox is S, N, W, E)
GEOCODED = {
    "name": "Gedung Uji Daring",
    "display_name": "Gedung Uji Daring, Oebobo, Kota Kupang",
    "lat": "-10.1700",
    "lon": "123.6000",
    "boundingbox": ["-10.1705", "-10.1695", "123.5995", "123.6005"],
}


def png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A solid-colour PNG, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


@dataclass
class TileServer:
    url: str
    requests: list[str] = field(default_factory=list)

    def template(self, kind: str) -> str:
        return f"{self.url}/{kind}/{{z}}/{{x}}/{{y}}.png"


@contextmanager
def tile_server() -> Iterator[TileServer]:
    tiles = {kind: png(rgb) for kind, rgb in COLOURS.items()}
    served = TileServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(self.path)
            if self.path.startswith("/search?"):
                body = json.dumps([GEOCODED]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            found = TILE.match(self.path)
            if not found:
                self.send_error(404)
                return
            body = tiles[found[1]]
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
