#!/usr/bin/env python3
"""api-clients.py: misbehaving and load-generating clients of guestnetd's
API socket, for tests/api-*.sh and bench/api-bench.sh (python3 only, no
third-party modules).

  api-clients.py flood SOCKET N       open N connections at once, then ask
                                      /v1/health on each; prints counts
                                      "ok=N refused=N closed=N"
  api-clients.py slow SOCKET          send request headers a byte at a time,
                                      then stall; prints "status=N secs=S"
                                      (status 0: closed without an answer)
  api-clients.py raw SOCKET           send stdin as is; print the status
                                      line of the answer (or "closed")
  api-clients.py posts SOCKET PATH W [--started FILE]
                                      POST each line of stdin (a JSON body)
                                      to PATH, spread over W writers
                                      (processes), each on one keep-alive
                                      connection and one request at a time,
                                      as an orchestrator adds ports; prints
                                      "ok=N failed=N" (ok: a 2xx answer).
                                      The writers connect first and start
                                      together; --started writes the
                                      CLOCK_MONOTONIC time they started
                                      (seconds) to FILE
  api-clients.py load SOCKET PATH C SECS [RATE] [--until FILE]
                                      [--since FILE] [--log FILE]
                                      C keep-alive clients (processes) ask
                                      GET PATH for SECS seconds (or until
                                      FILE exists, checked every 10 ms);
                                      prints
                                      "requests=N errors=N rps=R p50_ms=X
                                      p99_ms=Y max_ms=Z".  Without RATE each
                                      client asks again as soon as it has
                                      its answer; with RATE, each asks RATE
                                      times a second on a fixed schedule, as
                                      a monitoring system polls, and a
                                      latency counts from the scheduled
                                      time: a request that had to wait for a
                                      late answer before it could be sent
                                      counts that wait (no coordinated
                                      omission).  With RATE it also prints
                                      "p99_from_send_ms=S": the p99 of the
                                      time from sending each request to its
                                      answer, which leaves out the time the
                                      client itself took to get a CPU and
                                      send it (and a wait behind a late
                                      answer: for insight, not a limit).
                                      --since FILE counts only the requests
                                      due at or after the CLOCK_MONOTONIC
                                      time in FILE (read at the end, as
                                      posts --started writes it), so that
                                      the row starts with the first add
                                      --log writes one line per
                                      request: the CLOCK_MONOTONIC time it
                                      was due (or sent), its latency and
                                      the time from its sending, all in
                                      seconds
"""
import os
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


def read_response(s):
    """Reads one HTTP response; returns (status, body) or (0, b"")."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout, OSError):
            return 0, b""
        if not chunk:
            return 0, b""
        buf += chunk
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
    while len(body) < length:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout, OSError):
            return 0, b""
        if not chunk:
            return 0, b""
        body += chunk
    return status, body


def request(path, keepalive=False, body=None):
    """A GET of 'path', or with 'body' (JSON bytes) a POST."""
    conn = "keep-alive" if keepalive else "close"
    if body is None:
        return ("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: %s\r\n"
                "\r\n" % (path, conn)).encode()
    return (("POST %s HTTP/1.1\r\nHost: localhost\r\nConnection: %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %d\r\n"
             "\r\n" % (path, conn, len(body))).encode() + body)


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


def stopped(deadline, until, state):
    """True once 'deadline' passed or the file 'until' exists (looked for
    at most every 10 ms)."""
    now = time.monotonic()
    if now >= deadline:
        return True
    if until and now >= state[0]:
        state[0] = now + 0.01
        return os.path.exists(until)
    return False


def in_processes(n, work, forked=None):
    """Runs work(i, w) in 'n' child processes, i from 0, each writing its
    result to the text file object 'w'; returns their results, in order.
    forked(), if given, runs in this process once all are forked."""
    pipes = []
    for i in range(n):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            with os.fdopen(w, "w") as f:
                work(i, f)
            os._exit(0)
        os.close(w)
        pipes.append((pid, r))
    if forked:
        forked()
    results = []
    for pid, r in pipes:
        with os.fdopen(r) as f:
            results.append(f.read())
        os.waitpid(pid, 0)
    return results


class StartLine:
    """Lets processes forked after it is made start together: each calls
    ready() and goes on once the parent's release() saw all of them ready;
    release() writes the CLOCK_MONOTONIC time it let them go to the file
    'started', if set."""

    def __init__(self, n, started):
        self.n, self.started = n, started
        self.ready_r, self.ready_w = os.pipe()
        self.go_r, self.go_w = os.pipe()

    def ready(self):
        os.write(self.ready_w, b".")
        os.read(self.go_r, 1)

    def release(self):
        os.close(self.ready_w)
        got = 0
        while got < self.n:
            chunk = os.read(self.ready_r, self.n - got)
            if not chunk:
                break  # a writer died before it was ready
            got += len(chunk)
        if self.started:
            with open(self.started, "w") as f:
                f.write("%.9f\n" % time.perf_counter())
        os.write(self.go_w, b"." * self.n)


def posts_worker(sock_path, path, bodies, out, start):
    ok = failed = 0
    try:
        s = connect(sock_path, timeout=120)
    except OSError:
        s = None
    start.ready()
    for body in bodies:
        if s is None:
            s = connect(sock_path, timeout=120)
        try:
            s.sendall(request(path, keepalive=True, body=body))
            status, _ = read_response(s)
        except OSError:
            status = 0
        if 200 <= status < 300:
            ok += 1
        else:
            failed += 1
            s.close()
            s = None
    out.write("%d %d\n" % (ok, failed))


def posts(sock_path, path, writers, started=None):
    bodies = [line.strip().encode() for line in sys.stdin if line.strip()]
    ok = failed = 0
    start = StartLine(writers, started)
    for result in in_processes(writers, lambda i, out: posts_worker(
            sock_path, path, bodies[i::writers], out, start),
            start.release):
        a, b = result.split()
        ok += int(a)
        failed += int(b)
    print("ok=%d failed=%d" % (ok, failed))
    return failed == 0


def load_worker(sock_path, path, deadline, out, rate, until):
    lat = []
    due_at = []
    from_send = []
    errors = 0
    check = [0.0]
    s = None
    req = request(path, keepalive=True)
    due = time.perf_counter()
    while not stopped(deadline, until, check):
        if rate:
            # The next request is due 1/rate after the previous one was,
            # whether or not its answer came in time.
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        if s is None:
            try:
                s = connect(sock_path)
            except OSError:
                errors += 1
                time.sleep(0.01)
                continue
        t0 = due if rate else time.perf_counter()
        due += 1.0 / rate if rate else 0
        sent = time.perf_counter()
        try:
            s.sendall(req)
            status, _ = read_response(s)
        except OSError:
            status = 0
        t1 = time.perf_counter()
        if status == 200:
            lat.append(t1 - t0)
            due_at.append(t0)
            from_send.append(t1 - sent)
        else:
            errors += 1
            s.close()
            s = None
    out.write("%d\n" % errors)
    out.write("\n".join("%.9f %.9f %.9f" % x
                         for x in zip(due_at, lat, from_send)))


def load(sock_path, path, clients, secs, rate=0.0, until=None, log=None,
         since=None):
    start = time.monotonic()
    deadline = start + secs
    samples = []
    errors = 0
    for result in in_processes(clients, lambda i, out: load_worker(
            sock_path, path, deadline, out, rate, until)):
        lines = result.split("\n")
        errors += int(lines[0])
        samples.extend(tuple(float(v) for v in x.split())
                       for x in lines[1:] if x)
    elapsed = time.monotonic() - start
    if since:
        with open(since) as f:
            t = float(f.read())
        samples = [x for x in samples if x[0] >= t]
        elapsed = time.perf_counter() - t
    if log:
        with open(log, "w") as f:
            for due, x, y in sorted(samples):
                f.write("%.6f %.6f %.6f\n" % (due, x, y))
    lat = sorted(x for _, x, _ in samples)
    from_send = sorted(y for _, _, y in samples)

    def pct(v, p):
        if not v:
            return 0.0
        return v[min(len(v) - 1, int(p / 100.0 * len(v)))] * 1000

    line = ("requests=%d errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f "
            "max_ms=%.2f" % (len(lat), errors, len(lat) / elapsed,
                             pct(lat, 50), pct(lat, 99),
                             lat[-1] * 1000 if lat else 0))
    if rate:
        line += " p99_from_send_ms=%.2f" % pct(from_send, 99)
    print(line)


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
    elif mode == "posts" and len(sys.argv) in (5, 7):
        started = None
        if len(sys.argv) == 7:
            if sys.argv[5] != "--started":
                sys.stderr.write(__doc__)
                sys.exit(2)
            started = sys.argv[6]
        sys.exit(0 if posts(sock_path, sys.argv[3], int(sys.argv[4]),
                            started) else 1)
    elif mode == "load":
        args, opts = [], {}
        rest = sys.argv[3:]
        while rest:
            a = rest.pop(0)
            if a in ("--until", "--log", "--since") and rest:
                opts[a[2:]] = rest.pop(0)
            else:
                args.append(a)
        if len(args) not in (3, 4):
            sys.stderr.write(__doc__)
            sys.exit(2)
        load(sock_path, args[0], int(args[1]), float(args[2]),
             float(args[3]) if len(args) == 4 else 0.0, **opts)
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
