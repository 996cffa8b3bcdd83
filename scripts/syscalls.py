#!/usr/bin/env python3
"""System calls per request, blob-server against one nginx worker: `strace -c
-f` is attached to each server over a fixed number of sequential requests of
one kind, then detached; its counts are divided by the number of requests.

Kinds: GET / keep-alive, GET of a 10 KiB blob (nginx: a static 10 KiB file),
PUT of a 10 KiB blob with a fresh id (nginx: WebDAV PUT), GET / with a new
connection per request. One client connection, one request at a time, so each
request costs one loop wake-up on both servers (wrk's c10 batches several;
these figures are an upper bound for the loop's own calls). All traffic goes
to 127.0.0.1; every process started is stopped by pid, the work directory
removed."""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import benchlib  # noqa: E402


class Client:
    """A minimal HTTP/1.1 client: one request at a time, Content-Length bodies."""

    def __init__(self, port, keep_alive):
        self.port = port
        self.keep_alive = keep_alive
        self.sock = None

    def request(self, method, path, body=b""):
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port))
        connection = "" if self.keep_alive else "Connection: close\r\n"
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{connection}"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self.sock.sendall(head + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError(f"{method} {path}: connection closed before the answer")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int(re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head).group(1))
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        if not self.keep_alive:
            while self.sock.recv(65536):  # wait for the server's close
                pass
            self.close()
        if status not in (200, 201, 204):
            raise RuntimeError(f"{method} {path}: status {status}")

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def trace(pid, requests, send):
    """Runs `send(i)` for each request while strace -c is attached to `pid`;
    returns {syscall: (calls, errors)}."""
    out = tempfile.NamedTemporaryFile(prefix="syscalls-", suffix=".txt", delete=False)
    out.close()
    strace = subprocess.Popen(["strace", "-c", "-f", "-p", str(pid), "-o", out.name],
                              stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # strace reports on stderr once every thread is attached.
        deadline = time.time() + 10
        while time.time() < deadline:
            line = strace.stderr.readline()
            if "attached" in line and ("threads" in line or "Process" in line):
                break
        time.sleep(0.2)  # let the server go back to sleep in epoll_wait
        for i in range(requests):
            send(i)
        time.sleep(0.1)
    finally:
        strace.send_signal(signal.SIGINT)
        try:
            strace.wait(10)
        except subprocess.TimeoutExpired:
            strace.kill()
            strace.wait()
        strace.stderr.close()
    counts = {}
    with open(out.name) as f:
        for line in f:
            fields = line.split()
            # % time, seconds, usecs/call, calls, [errors], syscall
            if len(fields) >= 5 and re.match(r"^[\d.]+$", fields[0]) and fields[-1] != "total":
                calls = int(fields[3])
                errors = int(fields[4]) if len(fields) == 6 else 0
                counts[fields[-1]] = (calls, errors)
    os.unlink(out.name)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="path to the release blob-server")
    parser.add_argument("--requests", type=int, default=1000, help="requests per kind and server")
    parser.add_argument("--dir", default="/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir())
    args = parser.parse_args()

    procs = benchlib.Processes()
    work = tempfile.mkdtemp(prefix="syscalls-", dir=args.dir)
    try:
        pair = benchlib.WorkerAndNginx(procs, args.binary, work)
        ours, ours_port, nginx, nginx_port = pair.ours, pair.ours_port, pair.nginx, pair.nginx_port
        blob = pair.blob
        Client(ours_port, keep_alive=False).request("PUT", "/blobs/bench/blob1", blob)

        servers = {"ours": (ours, ours_port, "/blobs/bench/blob1", "/blobs/bench/"),
                   "nginx": (nginx, nginx_port, "/blob.bin", "/dav/")}
        kinds = [("GET / keep-alive", True, "GET", lambda s: "/"),
                 ("GET 10KiB keep-alive", True, "GET", lambda s: s[2]),
                 ("PUT 10KiB keep-alive", True, "PUT", lambda s: s[3]),
                 ("GET / new conn", False, "GET", lambda s: "/")]
        for kind, keep_alive, method, path_of in kinds:
            table = {}
            for label, server in servers.items():
                proc, port, _, _ = server
                client = Client(port, keep_alive)
                client.request("GET", "/")  # the keep-alive connection exists before tracing
                path = path_of(server)
                body = blob if method == "PUT" else b""
                # Fresh ids per server and run; PUT ids spread over prefixes like real ones.
                tag = os.urandom(3).hex()
                send = ((lambda i: client.request("PUT", f"{path}{tag}{i:06d}", body)) if method == "PUT"
                        else (lambda i: client.request(method, path)))
                table[label] = trace(proc.pid, args.requests, send)
                client.close()
            print_kind(kind, table, args.requests)
        print(f"{args.requests} sequential requests per kind and server, one client connection "
              f"(a new one per request for 'new conn'); files under {args.dir}; "
              f"calls per request (errors per request in parentheses).")
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)


def print_kind(kind, table, requests):
    names = sorted(set(table["ours"]) | set(table["nginx"]),
                   key=lambda n: -(table["ours"].get(n, (0, 0))[0] + table["nginx"].get(n, (0, 0))[0]))

    def cell(label, name):
        calls, errors = table[label].get(name, (0, 0))
        text = f"{calls / requests:.2f}"
        return text + (f" ({errors / requests:.2f})" if errors else "")

    rows = [{"syscall": n, "ours": cell("ours", n), "nginx": cell("nginx", n)} for n in names]
    totals = {label: sum(c for c, _ in table[label].values()) / requests for label in table}
    rows.append({"syscall": "total", "ours": f"{totals['ours']:.2f}", "nginx": f"{totals['nginx']:.2f}"})
    print(f"\n{kind}")
    benchlib.print_table(rows, ["syscall", "ours", "nginx"])


if __name__ == "__main__":
    main()
