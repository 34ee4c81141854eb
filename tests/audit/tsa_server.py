"""A local RFC 3161 time-stamping authority for tests, built with ``openssl ts``.

``make_pki(dir)`` creates a CA and a TSA certificate (extendedKeyUsage critical,timeStamping)
signed by it, plus an unrelated second CA; ``TsaServer`` answers each POSTed query on
127.0.0.1 with ``openssl ts -reply`` (or, in ``garbage`` mode, with bytes that are not a
time-stamp response; in ``wrong_hash`` mode, with a genuine token for another hash).
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import tsp

_CONFIG = """
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ ca_ext ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {serial}
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True)
class Pki:
    root: Path
    config: Path
    ca_cert: Path
    tsa_key: Path
    tsa_cert: Path
    other_ca_cert: Path


def _run(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _ca(root: Path, config: Path, name: str, cn: str) -> tuple[Path, Path]:
    key, cert = root / f"{name}.key", root / f"{name}.pem"
    _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "30", "-subj", f"/CN={cn}",
         "-config", str(config), "-extensions", "ca_ext")  # fmt: skip
    return key, cert


def make_pki(root: Path) -> Pki:
    root.mkdir(parents=True, exist_ok=True)
    config = root / "openssl.cnf"
    config.write_text(_CONFIG.format(serial=root / "serial"))
    (root / "serial").write_text("01\n")
    ca_key, ca_cert = _ca(root, config, "ca", "Crimebook Test Root CA")
    _other_key, other_cert = _ca(root, config, "other-ca", "Some Other CA")
    tsa_key, csr, tsa_cert = root / "tsa.key", root / "tsa.csr", root / "tsa.pem"
    _run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(tsa_key), "-out", str(csr), "-subj", "/CN=Crimebook Test TSA",
         "-config", str(config))  # fmt: skip
    _run("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
         "-CAcreateserial", "-out", str(tsa_cert), "-days", "30", "-extfile", str(config),
         "-extensions", "tsa_ext")  # fmt: skip
    return Pki(root, config, ca_cert, tsa_key, tsa_cert, other_cert)


def reply(pki: Pki, query: bytes) -> bytes:
    """``openssl ts -reply`` for one DER query."""
    with tempfile.TemporaryDirectory() as tmp:
        qpath, rpath = Path(tmp) / "q.tsq", Path(tmp) / "r.tsr"
        qpath.write_bytes(query)
        _run("ts", "-reply", "-config", str(pki.config), "-queryfile", str(qpath),
             "-inkey", str(pki.tsa_key), "-signer", str(pki.tsa_cert), "-out", str(rpath))  # fmt: skip
        return rpath.read_bytes()


def _other_hash_query(query: bytes) -> bytes:
    """The same query (same nonce) for a different imprint."""
    req = tsp.TimeStampReq.load(query)
    imprint = bytes(req["message_imprint"]["hashed_message"].native)
    req["message_imprint"]["hashed_message"] = bytes(b ^ 0xFF for b in imprint)
    return bytes(tsp.TimeStampReq.load(req.dump(force=True)).dump())


class TsaServer:
    """``with TsaServer(pki) as url:`` — an HTTP TSA on 127.0.0.1 in a thread."""

    def __init__(self, pki: Pki, mode: str = "ok") -> None:
        self.pki = pki
        self.mode = mode
        self.queries: list[bytes] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                query = self.rfile.read(length)
                server.queries.append(query)
                if server.mode == "garbage":
                    body = b"this is not a time-stamp response"
                elif server.mode == "wrong_hash":
                    body = reply(server.pki, _other_hash_query(query))
                else:
                    body = reply(server.pki, query)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/tsa"

    def __enter__(self) -> str:
        self._thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
