"""gn_api: one request to guestnetd's API on its unix socket, for the Python
helpers of the tests and the benchmarks (python3 only, no third-party
modules)."""
import socket


def request(path, method, target, body=None, timeout=None):
    """Sends the request METHOD TARGET, with the JSON text 'body' if given,
    to the API socket 'path' and returns the whole answer (bytes: status
    line, headers and body) once guestnetd closes the connection.  Raises
    OSError if the connection fails or 'timeout' seconds pass."""
    data = body.encode() if body else b""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(b"%s %s HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Type: application/json\r\nConnection: close\r\n"
                  b"Content-Length: %d\r\n\r\n"
                  % (method.encode(), target.encode(), len(data)) + data)
        answer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    finally:
        s.close()
    return answer


def status(answer):
    """The HTTP status of 'answer' (from request()); 0 if it has none."""
    try:
        return int(answer.split(b" ", 2)[1])
    except (ValueError, IndexError):
        return 0
