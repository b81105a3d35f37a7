"""A Server-Sent Events reader for the tests of /v1/mentions/stream."""
from __future__ import annotations

import json
import socket
import threading

import httpx


class Stream:
    """Reads a Server-Sent Events stream in a thread of its own, keeping (event, data) pairs.

    A plain HTTP/1.0 socket, so close() really closes the connection (the server then ends the stream)."""

    def __init__(self, url: str):
        self.events: list[tuple[str, dict]] = []
        parts = httpx.URL(url)
        self._sock = socket.create_connection((parts.host, parts.port), timeout=5)
        target = parts.raw_path.decode()
        self._sock.sendall(f"GET {target} HTTP/1.0\r\nHost: {parts.host}\r\nAccept: text/event-stream\r\n\r\n".encode())
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        buffer, event = b"", "message"
        while not self._stop.is_set():
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\n" in buffer:
                raw, buffer = buffer.split(b"\n", 1)
                line = raw.decode().rstrip("\r")
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event != "message":
                    self.events.append((event, json.loads(line.split(":", 1)[1])))
                    event = "message"

    def of(self, kind: str) -> list[dict]:
        return [data for event, data in self.events if event == kind]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()
