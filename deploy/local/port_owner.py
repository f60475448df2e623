"""Who holds a local TCP port: nobody, the server we expect there, or another program.

Usage: port_owner.py PORT postgresql|rabbitmq|imi|mimir  ->  prints free, ours or other.
It speaks the expected protocol just far enough to recognise the server, so a port taken by a
stranger is told apart from one held by our own PostgreSQL, RabbitMQ or service. Standard
library only: it runs before the workspace is installed.
"""

from __future__ import annotations

import http.client
import json
import socket
import sys
import urllib.error
import urllib.request

HOST = "127.0.0.1"
TIMEOUT = 3.0
# PostgreSQL's SSLRequest: a server answers with one byte, S or N, and logs nothing when the
# client then goes away.
SSL_REQUEST = b"\x00\x00\x00\x08\x04\xd2\x16\x2f"
AMQP_091_HEADER = b"AMQP\x00\x00\x09\x01"
# A 0-9-1 broker's first frame: a method frame on channel 0 carrying connection.start (10, 10).
CONNECTION_START = b"\x00\x0a\x00\x0a"


def reply_to(port: int, payload: bytes, length: int) -> bytes:
    """The first `length` bytes the server sends back (fewer if it hangs up)."""
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as conn:
        conn.sendall(payload)
        reply = b""
        while len(reply) < length:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply


def health_service(port: int) -> object:
    """The `service` field of GET /health; a 503 body counts (the service is up, its DB not)."""
    url = f"http://{HOST}:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
    try:
        return json.loads(body).get("service")
    except (ValueError, AttributeError):
        return None


def is_expected(port: int, kind: str) -> bool:
    if kind == "postgresql":
        return reply_to(port, SSL_REQUEST, 1) in (b"S", b"N")
    if kind == "rabbitmq":
        reply = reply_to(port, AMQP_091_HEADER, 11)
        return reply[:1] == b"\x01" and reply[7:11] == CONNECTION_START
    return health_service(port) == kind


def owner(port: int, kind: str) -> str:
    try:
        socket.create_connection((HOST, port), timeout=TIMEOUT).close()
    except ConnectionRefusedError:
        return "free"
    except OSError:
        return "other"
    try:
        return "ours" if is_expected(port, kind) else "other"
    except (OSError, http.client.HTTPException):
        return "other"


if __name__ == "__main__":
    print(owner(int(sys.argv[1]), sys.argv[2]))
