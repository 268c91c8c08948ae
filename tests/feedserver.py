"""A real HTTP server on 127.0.0.1 (a free port, a background thread) serving fixture feeds.

Each path has a list of replies served in turn (the last one repeats). A reply with an ETag or
Last-Modified answers 304 to a request that sends them back. Every request is recorded with its
headers, and the most requests in flight at once is kept, so tests can check politeness.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
RSS = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = RSS
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0  # seconds before answering


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self.hits: dict[str, int] = defaultdict(int)
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def url(self, path: str) -> str:
        return self.base + path

    def fixture(self, name: str) -> bytes:
        """A fixture feed with {{BASE}} replaced by this server's address."""
        return (FEEDS / name).read_bytes().replace(b"{{BASE}}", self.base.encode())

    def serve(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return self.url(path)

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with server.lock:
                server.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
                hit = server.hits[self.path]
                server.hits[self.path] += 1
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                self._answer(hit)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)
            finally:
                with server.lock:
                    server.in_flight -= 1

        def _answer(self, hit: int) -> None:
            replies = server.routes.get(self.path)
            if not replies:
                self._send(404, b"not found", "text/plain")
                return
            reply = replies[min(hit, len(replies) - 1)]
            if reply.delay and server.stopping.wait(reply.delay):
                return
            if (reply.etag and self.headers.get("If-None-Match") == reply.etag) or (
                reply.last_modified and self.headers.get("If-Modified-Since") == reply.last_modified
            ):
                self._send(304, b"", "", reply)
                return
            self._send(reply.status, reply.body, reply.content_type, reply)

        def _send(self, status: int, body: bytes, content_type: str, reply: Reply | None = None) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            if reply and reply.etag:
                self.send_header("ETag", reply.etag)
            if reply and reply.last_modified:
                self.send_header("Last-Modified", reply.last_modified)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
