#!/usr/bin/env python3
"""fault-clients: concurrent API clients for the fault tests.

Usage: fault-clients.py SOCKET BODIES [--kill PID --after-answers K
                                        [--signal NAME]]

POSTs every line of the file BODIES (one JSON add request each) to
/v1/ports on the unix socket SOCKET, all at once (a thread each), and, if
asked, sends signal NAME (KILL unless given: STOP, CONT...) to PID as soon
as K of them are answered (K = 0: as soon as the requests are on their
way), so that the signal falls while adds are in flight.  Prints one line
per request, "NAME STATUS MS MESSAGE": STATUS 0 when the connection broke
or 60 s passed before an answer, MS how long the answer took, MESSAGE the
error's message for an answer of 400 or more ("-" otherwise); then the
signal as "killed MS K" (milliseconds after the first request, answers by
then).
"""
import json
import os
import signal
import sys
import threading
import time

import gn_api


def post(path, body):
    """Returns (HTTP status, error message or "-") of POST /v1/ports with
    'body'; status 0 if there was no answer."""
    try:
        answer = gn_api.request(path, "POST", "/v1/ports", body, timeout=60)
    except OSError:
        return 0, "-"
    status = gn_api.status(answer)
    if not status:
        return 0, "-"
    message = "-"
    if status >= 400:
        try:
            text = answer.split(b"\r\n\r\n", 1)[1]
            message = json.loads(text)["error"]["message"]
        except (IndexError, ValueError, KeyError, TypeError):
            message = "(no error message)"
    return status, " ".join(message.split())


def option(name, default=None):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def main():
    path, bodies = sys.argv[1], open(sys.argv[2]).read().split("\n")
    bodies = [b for b in bodies if b.strip()]
    kill_pid = after = None
    if "--kill" in sys.argv:
        kill_pid = int(option("--kill"))
        after = int(option("--after-answers"))
    signum = getattr(signal, "SIG" + option("--signal", "KILL"))
    results = [None] * len(bodies)
    answered = threading.Condition()
    n_answered = [0]

    def run(i):
        t0 = time.monotonic()
        status, message = post(path, bodies[i])
        results[i] = (status, (time.monotonic() - t0) * 1000, message)
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
            os.kill(kill_pid, signum)
            killed = "%d %d" % ((time.monotonic() - start) * 1000,
                                n_answered[0])
    for t in threads:
        t.join()
    for body, (status, ms, message) in zip(bodies, results):
        print(json.loads(body)["name"], status, "%d" % ms, message)
    if killed is not None:
        print("killed", killed)


if __name__ == "__main__":
    main()
