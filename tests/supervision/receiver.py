"""A local webhook receiver for tests: records what it is sent, answers as told. Nothing leaves the machine."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """`answers`: (status, body) per request in turn; the last one repeats."""

    answers: list[tuple[int, bytes]] = field(default_factory=lambda: [(200, b'{"errcode": 0}')])
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the name http.server calls)
                length = int(self.headers.get("Content-Length", 0))
                parts = urlsplit(self.path)
                receiver.requests.append(
                    Received(
                        path=parts.path,
                        query=parse_qs(parts.query),
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=self.rfile.read(length),
                    )
                )
                index = min(len(receiver.requests), len(receiver.answers)) - 1
                status, body = receiver.answers[index]
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
