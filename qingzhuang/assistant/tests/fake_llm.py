"""A fake OpenAI-compatible model server for tests, on 127.0.0.1 in a background thread.

::

    with FakeLLM(reply="根据规定……[1]") as server:
        settings.QZ_LLM_BASE_URL = server.base_url     # http://127.0.0.1:PORT/v1
        ...
        server.requests[0].body["model"]

It answers ``POST /v1/chat/completions`` with ``reply`` (a string, or a callable taking the request
body) and ``POST /v1/embeddings`` with one vector per input from ``embed`` (a callable taking the
text; by default a deterministic, normalised 16-dimensional vector from a hash of the text). The
``data`` items are listed in reverse order, as a server may, so that clients must sort by ``index``.

Failure modes: ``status`` (e.g. 500, with a JSON error body that echoes the Authorization header,
as a careless proxy would), ``invalid_json`` (200 with a body that is not JSON), ``delay`` (seconds
to wait before answering, for timeouts), and ``chat_response``/``embed_response`` (callables taking
the request body and returning the whole JSON reply, for replies of the wrong shape).

The ``fake_llm`` fixture yields a factory that starts a server, points the ``QZ_LLM_*`` and
``QZ_EMBED_*`` settings at it (models ``fake-chat`` and ``fake-embed``) and stops it at the end.
Import ``fake_llm_fixture`` into a test module to use it::

    from qingzhuang.assistant.tests.fake_llm import fake_llm_fixture  # noqa: F401

    def test_something(fake_llm):
        server = fake_llm(reply="……", api_key="sk-test")
"""

from __future__ import annotations

import hashlib
import json
import math
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

CHAT_MODEL = "fake-chat"
EMBED_MODEL = "fake-embed"
DIMENSIONS = 16


def hash_vector(text: str) -> list[float]:
    """A deterministic unit vector of DIMENSIONS floats for ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    raw = [(byte - 127.5) / 127.5 for byte in digest[:DIMENSIONS]]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


def unused_port() -> int:
    """A local port that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class FakeRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any  # the decoded JSON body, or None when it was not JSON


class FakeLLM:
    def __init__(
        self,
        reply: str | Callable[[dict], str] = "未找到相关依据",
        *,
        embed: Callable[[str], list[float]] = hash_vector,
        status: int = 200,
        invalid_json: bool = False,
        delay: float = 0.0,
        chat_response: Callable[[dict], Any] | None = None,
        embed_response: Callable[[dict], Any] | None = None,
    ) -> None:
        self.reply = reply
        self.embed = embed
        self.status = status
        self.invalid_json = invalid_json
        self.delay = delay
        self.chat_response = chat_response
        self.embed_response = embed_response
        self.requests: list[FakeRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not running"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeLLM:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-llm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping for ``delay``
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # The handler calls this; returns (status, body bytes).
    def respond(self, request: FakeRequest) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(request)
        if self.delay:
            self._stopping.wait(self.delay)
        if self.status != 200:
            error = {"error": {"message": "internal server error", "type": "server_error",
                               "authorization": request.headers.get("authorization", "")}}
            return self.status, json.dumps(error).encode()
        if self.invalid_json:
            return 200, b"<html>this is not JSON"
        if request.body is None:
            return 400, json.dumps({"error": {"message": "body is not JSON"}}).encode()
        if request.path == "/v1/chat/completions":
            payload = self.chat_response(request.body) if self.chat_response else self._chat(request.body)
        elif request.path == "/v1/embeddings":
            payload = (self.embed_response(request.body) if self.embed_response
                       else self._embeddings(request.body))
        else:
            return 404, json.dumps({"error": {"message": f"no route {request.path}"}}).encode()
        return 200, json.dumps(payload, ensure_ascii=False).encode()

    def _chat(self, body: dict) -> dict:
        content = self.reply(body) if callable(self.reply) else self.reply
        return {
            "id": "chatcmpl-fake", "object": "chat.completion", "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }

    def _embeddings(self, body: dict) -> dict:
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else list(texts or [])
        data = [{"object": "embedding", "index": i, "embedding": self.embed(text)}
                for i, text in enumerate(texts)]
        return {"object": "list", "model": body.get("model"), "data": list(reversed(data))}


def _handler_for(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            request = FakeRequest("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            status, payload = fake.respond(request)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(name="fake_llm")
def fake_llm_fixture(settings) -> Iterator[Callable[..., FakeLLM]]:
    """A factory: ``fake_llm(reply=..., api_key="", configure=True, **options)`` → a running FakeLLM."""
    servers: list[FakeLLM] = []

    def start(*, api_key: str = "", configure: bool = True, **options: Any) -> FakeLLM:
        server = FakeLLM(**options).start()
        servers.append(server)
        if configure:
            settings.QZ_LLM_BASE_URL = server.base_url
            settings.QZ_LLM_MODEL = CHAT_MODEL
            settings.QZ_LLM_API_KEY = api_key
            settings.QZ_EMBED_BASE_URL = server.base_url
            settings.QZ_EMBED_MODEL = EMBED_MODEL
            settings.QZ_EMBED_API_KEY = ""
        return server

    yield start
    for server in servers:
        server.stop()
