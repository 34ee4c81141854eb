"""Intake benchmark: sealed submissions per second against the same server storing plaintext,
and a large attachment's MB/s against copying the same file on disk.

Starts its own intake server (gunicorn, loopback only, a temporary data directory), drives it
with concurrent keep-alive clients for a bounded count and time, then decrypts every accepted
submission to check it. Run: ``.venv/bin/python benchmarks/intake.py [--count 2000]
[--rounds 10] [--clients 8] [--attachment-mb 500]``. Prints a figure next to its baseline (CONVENTIONS 14).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyrage
from pyrage import x25519

from crimebook.cli.intake import INTAKE_THREADS, intake_server_argv

HERE = Path(__file__).resolve().parent
FORM = {
    "what_happened": "Задержали у метро и избили дубинками в автозаке. " * 10,
    "when_kind": "part_of_day",
    "when_date": "2020-08-10",
    "when_part_of_day": "evening",
    "where": "станция метро Пушкинская",
    "location_certainty": "street",
    "violation_types": "torture",
    "perpetrators_unit": "ОМОН",
}
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    data: Path, recipient: str, workers: int, threads: int
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DJANGO_SETTINGS_MODULE": "intake_bench.settings",
        "CRIMEBOOK_DATA_DIR": str(data),
        "CRIMEBOOK_DATABASE_URL": "",
        "CRIMEBOOK_INTAKE_RECIPIENTS": recipient,
        "CRIMEBOOK_ALLOWED_HOSTS": "127.0.0.1",
        "CRIMEBOOK_INTAKE_POSTS_PER_MINUTE": "1000000",
    }
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, check=True)
    # the command line `crimebook serve --intake-only` runs, with the benchmark's settings
    argv = intake_server_argv(bind=f"127.0.0.1:{port}", workers=workers, threads=threads)
    proc = subprocess.Popen(argv, env=env)  # noqa: S603
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    time.sleep(0.5)
    return proc, port


def server_pids(proc: subprocess.Popen[bytes]) -> list[int]:
    """The server's master and its worker processes."""
    pids = [proc.pid]
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    return pids


def server_cpu_s(proc: subprocess.Popen[bytes]) -> float:
    """CPU seconds (user + system, all threads) used so far by the server's processes: a
    figure other jobs on the machine do not change, unlike submissions per second."""
    ticks = 0
    for pid in server_pids(proc):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def peak_rss_mb(proc: subprocess.Popen[bytes]) -> float:
    """Largest VmHWM among the server's processes (master and workers)."""
    peak = 0
    for pid in server_pids(proc):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.request("GET", "/en/report/")
        response = self.conn.getresponse()
        body = response.read()
        found = CSRF.search(body)
        assert found, "no CSRF token"
        self.token = found.group(1).decode()
        cookie = response.getheader("Set-Cookie") or ""
        self.cookie = cookie.split(";", 1)[0]

    def get_page(self, path: str) -> int:
        self.conn.request("GET", path, headers={"Cookie": self.cookie})
        response = self.conn.getresponse()
        response.read()
        return response.status

    def post_form(self, path: str) -> tuple[int, float]:
        body = urllib.parse.urlencode({**FORM, "csrfmiddlewaretoken": self.token}).encode()
        started = time.perf_counter()
        self.conn.request(
            "POST",
            path,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie},
        )
        response = self.conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    elapsed: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    def summary(self) -> dict[str, float]:
        lat = sorted(self.latencies)
        return {
            "ok": len(lat),
            "failed": self.failed,
            "per_s": len(lat) / self.elapsed,
            "p50_ms": 1000 * statistics.median(lat),
            "p99_ms": 1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))],
            "server_cpu_ms": 1000 * self.server_cpu / max(1, len(lat) + self.failed),
            "client_cpu_ms": 1000 * self.client_cpu / max(1, len(lat) + self.failed),
        }


def load(
    server: subprocess.Popen[bytes],
    port: int,
    path: str,
    count: int,
    clients: int,
    limit_s: float,
    tally: Tally,
) -> None:
    """``count`` submissions from ``clients`` keep-alive connections, added to ``tally``."""
    lock = threading.Lock()
    remaining = [count]
    deadline = time.monotonic() + limit_s

    def worker() -> None:
        client = Client(port)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            status, took = client.post_form(path)
            with lock:
                if status == 200:
                    tally.latencies.append(took)
                else:
                    tally.failed += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    cpu_before, client_before = server_cpu_s(server), time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.elapsed += time.perf_counter() - started
    # (includes each client's one GET for its CSRF token: `clients` page views per round)
    tally.server_cpu += server_cpu_s(server) - cpu_before
    tally.client_cpu += time.process_time() - client_before


def form_views(server: subprocess.Popen[bytes], port: int, count: int, clients: int) -> float:
    """Server CPU-ms per view of the blank report form (every source loads it first)."""
    client_list = [Client(port) for _ in range(clients)]
    before = server_cpu_s(server)

    def worker(client: Client) -> None:
        for _ in range(count // clients):
            assert client.get_page("/en/report/") == 200

    threads = [threading.Thread(target=worker, args=(c,)) for c in client_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return 1000 * (server_cpu_s(server) - before) / (clients * (count // clients))


def upload(port: int, file: Path) -> float:
    client = Client(port)
    boundary = "----cbbench" + os.urandom(8).hex()
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in {**FORM, "csrfmiddlewaretoken": client.token}.items()
    ).encode()
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
        f'filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + file.stat().st_size + len(tail)
    conn = client.conn
    started = time.perf_counter()
    conn.putrequest("POST", "/en/report/")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(size))
    conn.putheader("Cookie", client.cookie)
    conn.endheaders()
    conn.send(head)
    with file.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    response.read()
    took = time.perf_counter() - started
    assert response.status == 200, response.status
    return took


def verify(data: Path, identity: x25519.Identity) -> tuple[int, int]:
    sealed = data / "intake" / "sealed"
    checked = attachments = 0
    for report in sealed.rglob("report.age"):
        raw = report.read_bytes()
        if raw.startswith(b"{"):  # written by the plaintext baseline
            continue
        document = json.loads(pyrage.decrypt(raw, [identity]))
        checked += 1
        for item in document["attachments"]:
            digest = hashlib.sha256()
            with (report.parent / item["file"]).open("rb") as src, open(os.devnull, "wb") as dev:
                reader = _Hashing(dev, digest)
                pyrage.decrypt_io(src, reader, [identity])
            assert digest.hexdigest() == item["sha256"], "attachment does not match its hash"
            attachments += 1
    return checked, attachments


class _Hashing:
    def __init__(self, sink: object, digest: hashlib._Hash) -> None:
        self.sink, self.digest = sink, digest

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)

    def flush(self) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000, help="submissions per mode")
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="alternating plaintext/sealed rounds (fair on a busy machine)",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=INTAKE_THREADS, help="per worker")
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit per round")
    parser.add_argument("--attachment-mb", type=int, default=500)
    args = parser.parse_args()

    identity = x25519.Identity.generate()
    with tempfile.TemporaryDirectory(prefix="cb-intake-bench-") as tmp:
        data = Path(tmp)
        proc, port = start_server(
            data / "data", str(identity.to_public()), args.workers, args.threads
        )
        try:
            load(proc, port, "/en/report/", 20, 2, 30, Tally())  # warm-up
            load_before = load_average()
            tallies = {"plain": Tally(), "sealed": Tally()}
            per_round = max(1, args.count // args.rounds)
            for _ in range(args.rounds):  # alternate, so load from elsewhere hits both alike
                for path, tally in (
                    ("/en/baseline/", tallies["plain"]),
                    ("/en/report/", tallies["sealed"]),
                ):
                    load(proc, port, path, per_round, args.clients, args.seconds, tally)
            plain, sealed = tallies["plain"].summary(), tallies["sealed"].summary()
            text_rss = peak_rss_mb(proc)
            print(
                f"text submissions, {args.clients} clients, {args.workers} workers × "
                f"{args.threads} threads, loopback; load average {load_before} before, "
                f"{load_average()} after:"
            )
            for name, r in (("plaintext baseline", plain), ("sealed with age", sealed)):
                print(
                    f"  {name:20s} {r['per_s']:7.1f}/s  p50 {r['p50_ms']:6.1f} ms  "
                    f"p99 {r['p99_ms']:6.1f} ms  ok {r['ok']:.0f} failed {r['failed']:.0f}  "
                    f"server CPU {r['server_cpu_ms']:5.2f} ms/submission  "
                    f"(client {r['client_cpu_ms']:4.2f})"
                )
            print(f"  sealing cost: {100 * (1 - sealed['per_s'] / plain['per_s']):+.1f} % "
                  f"throughput; server peak RSS {text_rss:.0f} MiB")  # fmt: skip
            page_ms = form_views(proc, port, 400, args.clients)
            print(f"  blank report form page: server CPU {page_ms:5.2f} ms/view")
            if args.attachment_mb:
                big = data / "big.bin"
                with big.open("wb") as out:
                    for _ in range(args.attachment_mb):
                        out.write(os.urandom(1024 * 1024))
                copy = data / "copy.bin"
                started = time.perf_counter()
                with big.open("rb") as src, copy.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
                    dst.flush()
                    os.fsync(dst.fileno())
                copy_s = time.perf_counter() - started
                copy.unlink()
                took = upload(port, big)
                mb = args.attachment_mb
                print(f"attachment of {mb} MB:")
                print(f"  disk copy (+fsync)   {mb / copy_s:7.1f} MB/s")
                print(f"  sealed upload        {mb / took:7.1f} MB/s  "
                      f"({100 * copy_s / took:.0f} % of disk copy); "
                      f"server peak RSS {peak_rss_mb(proc):.0f} MiB")  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        checked, attachments = verify(data / "data", identity)
        expected = sealed["ok"] + 20 + (1 if args.attachment_mb else 0)
        print(f"decrypted {checked} sealed reports and {attachments} attachments "
              f"(expected {expected:.0f} reports): {'OK' if checked == expected else 'MISMATCH'}")  # fmt: skip
        if checked != expected:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
