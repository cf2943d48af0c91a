#!/usr/bin/env python3
"""fault-clients: concurrent API clients for the fault tests.

Usage: fault-clients.py SOCKET BODIES [--kill PID --after-answers K]

POSTs every line of the file BODIES (one JSON add request each) to
/v1/ports on the unix socket SOCKET, all at once (a thread each), and, if
asked, sends SIGKILL to PID as soon as K of them are answered (K = 0: as
soon as the requests are on their way), so that the kill falls while
adds are in flight.  Prints one line per request, "NAME STATUS" (STATUS 0
when the connection broke before an answer), and the kill as "killed MS
K" (milliseconds after the first request, answers by then) after them.
"""
import json
import os
import signal
import socket
import sys
import threading
import time


def post(path, body):
    """Returns the HTTP status of POST /v1/ports with 'body', or 0."""
    data = body.encode()
    req = (b"POST /v1/ports HTTP/1.1\r\nHost: localhost\r\n"
           b"Content-Type: application/json\r\nConnection: close\r\n"
           b"Content-Length: " + str(len(data)).encode() + b"\r\n\r\n" + data)
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(60)
        s.connect(path)
        s.sendall(req)
        answer = b""
        while b"\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                return 0
            answer += chunk
        s.close()
        return int(answer.split(b" ", 2)[1])
    except (OSError, ValueError, IndexError):
        return 0


def main():
    path, bodies = sys.argv[1], open(sys.argv[2]).read().split("\n")
    bodies = [b for b in bodies if b.strip()]
    kill_pid = after = None
    if "--kill" in sys.argv:
        kill_pid = int(sys.argv[sys.argv.index("--kill") + 1])
        after = int(sys.argv[sys.argv.index("--after-answers") + 1])
    results = [None] * len(bodies)
    answered = threading.Condition()
    n_answered = [0]

    def run(i):
        results[i] = post(path, bodies[i])
        with answered:
            n_answered[0] += 1
            answered.notify_all()

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(len(bodies))]
    start = time.monotonic()
    for t in threads:
        t.start()
    killed = None
    if kill_pid:
        with answered:
            answered.wait_for(lambda: n_answered[0] >= after)
            os.kill(kill_pid, signal.SIGKILL)
            killed = "%d %d" % ((time.monotonic() - start) * 1000,
                                n_answered[0])
    for t in threads:
        t.join()
    for body, status in zip(bodies, results):
        print(json.loads(body)["name"], status)
    if killed is not None:
        print("killed", killed)


if __name__ == "__main__":
    main()
