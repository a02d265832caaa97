"""A lean HTTP/1.1 keep-alive client for the load phases.

Why not httpx there: measured on this machine, httpx 0.28 / httpcore 1.0 spends
about 1 ms of client CPU per request and its pool scans every connection on every
request, so a 2-core box running the client and the platform hit the *client's*
limit near 300-500 requests/s (the hello-world reference could not be measured).
This client does only what the bench needs: persistent connections to one host,
a bounded pool (callers wait for a free connection; that wait is part of their
latency), Content-Length or chunked bodies, and a deadline per request.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

MAX_HEADER_BYTES = 64 * 1024
# uvicorn closes a keep-alive connection after 5 idle seconds; drop ours before that.
IDLE_SECONDS = 3.0
# A reused connection the server closed in the meantime fails before any answer;
# only then is a request sent again (the server never saw it).
STALE = (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError)


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = time.monotonic()

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, head: bytes, body: bytes) -> tuple[Response, bool]:
        """Send one request, read its response; also whether the connection may be reused."""
        self.writer.write(head + body)
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        if len(raw) > MAX_HEADER_BYTES:
            raise ValueError("response head too large")
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            content = await self._chunked()
        else:
            content = await self.reader.readexactly(int(headers.get("content-length", "0")))
        reusable = headers.get("connection", "").lower() != "close"
        return Response(status, headers, content), reusable

    async def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers from our servers
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


class Http1Client:
    """``await client.request("GET", "/path", params=..., json=..., headers=...)``."""

    def __init__(self, base_url: str, *, pool: int, timeout: float = 10.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self._slots = asyncio.Semaphore(pool)
        self._idle: list[Connection] = []

    async def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None,
        json: Any = None, headers: dict[str, str] | None = None,
    ) -> Response:  # fmt: skip
        target = f"{path}?{urlencode(params)}" if params else path
        body = b"" if json is None else jsonlib.dumps(json).encode()
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 f"Content-Length: {len(body)}"]  # fmt: skip
        if json is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        async with self._slots, asyncio.timeout(self.timeout):  # the wait counts too
            reused = self._reusable()
            try:
                return await self._send(reused or await self._connect(), head, body)
            except STALE as exc:
                if reused is None or (isinstance(exc, asyncio.IncompleteReadError)
                                      and exc.partial):  # fmt: skip
                    raise
            return await self._send(await self._connect(), head, body)

    def _reusable(self) -> Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if time.monotonic() - connection.idle_since < IDLE_SECONDS:
                return connection
            connection.close()
        return None

    async def _send(self, connection: Connection, head: bytes, body: bytes) -> Response:
        try:
            response, reusable = await connection.exchange(head, body)
        except BaseException:
            connection.close()
            raise
        if reusable:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        return response

    async def get(self, path: str, **kw: Any) -> Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> Response:
        return await self.request("POST", path, **kw)

    async def _connect(self) -> Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return Connection(reader, writer)

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()
