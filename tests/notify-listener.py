#!/usr/bin/python3
"""notify-listener.py: stands in for systemd's notification socket.

Usage: notify-listener.py SOCKET LOG [CHECK_COMMAND]

Binds a unix datagram socket at SOCKET (give its path to a daemon as
NOTIFY_SOCKET; "@NAME" is NAME in the abstract namespace) and appends every field of every message it receives to LOG,
one a line, in the order they came ("STATUS=...", "READY=1", ...).  With a
CHECK_COMMAND (a shell command), runs it as soon as a READY=1 arrives,
before it reads the next message, and writes its output as a line
"CHECK <output>": what held at the moment the daemon said it was ready.
Writes "LISTENING" first, once the socket is bound.  Runs until killed.
With $NOTIFY_LISTENER_PAUSE set to a file, reads nothing while that file
exists (a busy systemd: the socket's queue fills).
"""
import os
import socket
import subprocess
import sys
import time


def main():
    path, log = sys.argv[1], sys.argv[2]
    check = sys.argv[3] if len(sys.argv) > 3 else None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + path[1:] if path.startswith("@") else path)
    with open(log, "a", buffering=1) as out:
        out.write("LISTENING\n")
        pause = os.environ.get("NOTIFY_LISTENER_PAUSE")
        while True:
            while pause and os.path.exists(pause):
                time.sleep(0.02)
            fields = sock.recv(65536).decode("utf-8", "replace").split("\n")
            for field in fields:
                if field:
                    out.write(field + "\n")
            if check and "READY=1" in fields:
                result = subprocess.run(check, shell=True, text=True,
                                        stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
                out.write("CHECK " + " ".join(result.stdout.split()) + "\n")


if __name__ == "__main__":
    main()
