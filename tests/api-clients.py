#!/usr/bin/env python3
"""api-clients.py: misbehaving clients of guestnetd's API socket, for
tests/api-*.sh (python3 only, no third-party modules; bench/api-bench.sh's
load comes from bench/api-load, in C).

  api-clients.py flood SOCKET N       open N connections at once, then ask
                                      /v1/health on each; prints counts
                                      "ok=N refused=N closed=N"
  api-clients.py slow SOCKET          send request headers a byte at a time,
                                      then stall; prints "status=N secs=S"
                                      (status 0: closed without an answer)
  api-clients.py raw SOCKET           send stdin as is; print the status
                                      line of the answer (or "closed")
"""
import socket
import sys
import time


def connect(path, timeout=10.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # A blocking connect waits while the listen backlog is full (with a
    # timeout set, a unix socket would fail at once with EAGAIN).
    s.connect(path)
    s.settimeout(timeout)
    return s


def recv_until(s, buf, done):
    """Reads from 's' onto 'buf' until done(buf); returns it, or None if
    the connection ends, fails or times out first."""
    while not done(buf):
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout, OSError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


def read_response(s):
    """Reads one HTTP response; returns (status, body) or (0, b"")."""
    buf = recv_until(s, b"", lambda b: b"\r\n\r\n" in b)
    if buf is None:
        return 0, b""
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return 0, b""
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    body = recv_until(s, body, lambda b: len(b) >= length)
    if body is None:
        return 0, b""
    return status, body


def request(path):
    """A GET of 'path' on a connection closed after the answer."""
    return ("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
            "\r\n" % path).encode()


def flood(sock_path, n):
    socks = []
    for _ in range(n):
        try:
            socks.append(connect(sock_path))
        except OSError:
            socks.append(None)
    counts = {"ok": 0, "refused": 0, "closed": 0}
    for s in socks:
        if s is None:
            counts["closed"] += 1
            continue
        try:
            s.sendall(request("/v1/health"))
        except OSError:
            pass
    for s in socks:
        if s is None:
            continue
        status, _ = read_response(s)
        if status == 200:
            counts["ok"] += 1
        elif status == 503:
            counts["refused"] += 1
        else:
            counts["closed"] += 1
        s.close()
    print("ok=%d refused=%d closed=%d"
          % (counts["ok"], counts["refused"], counts["closed"]))


def slow(sock_path):
    s = connect(sock_path, timeout=60)
    start = time.monotonic()
    partial = b"GET /v1/status HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
    try:
        for byte in partial:
            s.send(bytes([byte]))
            time.sleep(0.02)
    except OSError:
        pass
    status, _ = read_response(s)
    print("status=%d secs=%.1f" % (status, time.monotonic() - start))


def raw(sock_path):
    data = sys.stdin.buffer.read()
    s = connect(sock_path)
    try:
        s.sendall(data)
    except OSError:
        print("closed")
        return
    status, body = read_response(s)
    if status:
        print("%d %s" % (status, body.decode(errors="replace").strip()))
    else:
        print("closed")


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    mode, sock_path = sys.argv[1], sys.argv[2]
    if mode == "flood" and len(sys.argv) == 4:
        flood(sock_path, int(sys.argv[3]))
    elif mode == "slow" and len(sys.argv) == 3:
        slow(sock_path)
    elif mode == "raw" and len(sys.argv) == 3:
        raw(sock_path)
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
