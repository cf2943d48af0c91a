#!/usr/bin/python3
"""guestnetctl-cluster-server.py: a fake guestnetd for
tests/guestnetctl-cluster.sh, which tests guestnetctl's cluster commands
without a daemon, a cluster database or OVS.

Usage: guestnetctl-cluster-server.py SOCKET LOG MODE

Serves HTTP on the unix socket SOCKET and answers the /v1/cluster/
endpoints with canned JSON.  Appends one line per request to LOG, before
answering: "METHOD PATH BODY", BODY being the request's JSON compact with
sorted keys, or "-" for none.  MODE "cluster" answers as a guestnetd in
cluster mode; "single" as one without --cluster (404 "no such endpoint");
"down" as one whose cluster database is unreachable (503).  Runs until
killed.
"""
import json
import socketserver
import sys
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

HOSTS = [
    {"name": "h1", "system_id": "sys-1", "version": "1.2", "uplink": "eth1",
     "addresses": ["192.0.2.1"], "generation": 7, "last_seen_ms_ago": 400,
     "connected": True, "ports": 3},
    {"name": "h2", "system_id": "sys-2", "version": "1.1", "uplink": "eth1",
     "addresses": ["192.0.2.2", "2001:db8::2"], "generation": 5,
     "last_seen_ms_ago": 93000, "connected": False, "ports": 0},
]
PORTS = [
    {"name": "web1", "host": "h1", "network": "web",
     "mac": "52:54:00:00:00:01", "ips": ["10.10.0.5", "2001:db8:10::5"],
     "kind": "kvm", "state": "ready"},
    {"name": "db1", "host": "h2", "network": "db",
     "mac": "52:54:00:00:00:02", "ips": [], "kind": "lxc",
     "state": "adding"},
]
NETWORKS = [
    {"name": "web", "vlan": 10, "subnets": ["10.10.0.0/24"],
     "gateways": ["10.10.0.1"], "mtu": 1500, "private": False},
    {"name": "db", "vlan": 20, "subnets": ["10.20.0.0/24"], "gateways": [],
     "private": True},
]
RULES = [{"from": "web", "to": "db", "proto": "tcp", "port": 3306}]


def error(status, message):
    return status, {"error": {"code": status, "message": message}}


def route(mode, method, target, body):
    url = urlsplit(target)
    path, query = url.path, parse_qs(url.query)
    name = path.rsplit("/", 1)[-1]
    if mode == "single" or not path.startswith("/v1/cluster/"):
        return error(404, "no such endpoint")
    if mode == "down":
        return error(503, "cluster database unreachable: unix:/x.sock: "
                     "connection refused")
    if (method, path) == ("GET", "/v1/cluster/status"):
        return 200, {"cluster": {"remotes": "unix:/a.sock,unix:/b.sock",
                                 "remote": "unix:/a.sock", "connected": True,
                                 "synced": True, "generation": 7},
                     "host": {"name": "h1", "system_id": "sys-1",
                              "generation": 7},
                     "hosts": HOSTS}
    if (method, path) == ("GET", "/v1/cluster/hosts"):
        return 200, {"hosts": HOSTS}
    if method == "DELETE" and path.startswith("/v1/cluster/hosts/"):
        host = [h for h in HOSTS if h["name"] == name]
        if not host:
            return error(404, "no such host")
        if host[0]["connected"] and query.get("force") != ["true"]:
            return error(409, "host %s is connected" % name)
        return 200, {"host": name, "ports_removed": host[0]["ports"]}
    if (method, path) == ("GET", "/v1/cluster/ports"):
        return 200, {"ports": PORTS}
    if method == "GET" and path.startswith("/v1/cluster/ports/"):
        port = [p for p in PORTS if p["name"] == name]
        return (200, port[0]) if port else error(404, "no such port")
    if (method, path) == ("GET", "/v1/cluster/networks"):
        return 200, {"generation": 7, "networks": NETWORKS, "rules": RULES,
                     "broadcast_limit": {"pps": 100, "burst": 200}}
    if (method, path) == ("POST", "/v1/cluster/networks"):
        if any(n["vlan"] == body.get("vlan") for n in NETWORKS):
            return error(409, "VLAN %d is network web's" % body["vlan"])
        return 201, dict({"gateways": [], "private": False}, **body)
    if path.startswith("/v1/cluster/networks/"):
        net = [n for n in NETWORKS if n["name"] == name]
        if not net:
            return error(404, "no such network")
        if method == "DELETE":
            return 200, {"deleted": name}
        return 200, dict(net[0], **body)
    if (method, path) == ("POST", "/v1/cluster/rules"):
        return 201, body
    if (method, path) == ("DELETE", "/v1/cluster/rules"):
        rule = {k: v[0] for k, v in query.items()}
        return 200, {"deleted": rule}
    if (method, path) == ("POST", "/v1/cluster/import"):
        return 200, {"networks_added": len(body.get("networks", [])),
                     "rules_added": len(body.get("rules", [])),
                     "unchanged": 0}
    return error(404, "no such endpoint")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with open(self.server.log, "a") as log:
            log.write("%s %s %s\n" % (
                self.command, self.path,
                "-" if body is None
                else json.dumps(body, sort_keys=True, separators=(",", ":"))))
        status, reply = route(self.server.mode, self.command, self.path, body)
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = answer


def main():
    server = socketserver.UnixStreamServer(sys.argv[1], Handler)
    server.log, server.mode = sys.argv[2], sys.argv[3]
    server.serve_forever()


if __name__ == "__main__":
    main()
