"""deploy/nginx.conf (the README's proxy configuration) made runnable on this machine, for the load benchmark
and tests/browser/test_nginx_proxy.py: the same file with only the upstream servers, the listening ports and
the certificate substituted, inside a minimal nginx main configuration of its own folder.

Every substitution must find its line, so a change to the shape of deploy/nginx.conf fails here loudly
rather than benchmarking a different configuration.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from commstats.config import PROJECT_ROOT

CONF = PROJECT_ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# The bench's access log: which instance served each request of each sticky cookie.
LOG_FORMAT = "'$cookie_commstats_route $commstats_route $upstream_addr $status $request_time \"$request\"'"


class ProxyError(RuntimeError):
    """nginx or the configuration is missing or refused; the message says why."""


def _substitute(site: str, pattern: str, replacement: str) -> str:
    changed, count = re.subn(pattern, replacement, site, flags=re.MULTILINE)
    if count == 0:
        raise ProxyError(f"deploy/nginx.conf has no line matching {pattern!r}: update bench/proxy.py with it")
    return changed


def site_config(
    upstream_ports: Sequence[int], listen: int, redirect_listen: int, certificate: tuple[Path, Path] | None
) -> str:
    """deploy/nginx.conf with these upstream instances (127.0.0.1) and ports; TLS with `certificate`
    (certificate file, key file), or plain HTTP without one."""
    site = CONF.read_text(encoding="utf-8")
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in upstream_ports)
    site = _substitute(site, r"^    server 127\.0\.0\.1:\d+;\n", "")
    site = _substitute(site, r"^(    hash \$commstats_route consistent;\n)", r"\1" + servers)
    if certificate is None:
        site = _substitute(site, r"^\s*ssl_certificate.*\n", "")
        site = _substitute(site, r"listen 443 ssl;", f"listen 127.0.0.1:{listen};")
    else:
        site = _substitute(site, r"(ssl_certificate\s+)\S+;", rf"\g<1>{certificate[0]};")
        site = _substitute(site, r"(ssl_certificate_key\s+)\S+;", rf"\g<1>{certificate[1]};")
        site = _substitute(site, r"listen 443 ssl;", f"listen 127.0.0.1:{listen} ssl;")
    return _substitute(site, r"listen 80;", f"listen 127.0.0.1:{redirect_listen};")


def main_config(folder: Path, site: str, worker_processes: int = 1, access_log: bool = False) -> Path:
    """A complete nginx configuration in `folder` around `site` (the http block's contents)."""
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    log = (
        f" log_format bench {LOG_FORMAT};\n access_log {folder}/access.log bench;\n"
        if access_log
        else (" access_log off;\n")
    )
    config = folder / "nginx.conf"
    config.write_text(
        f"user root;\nworker_processes {worker_processes};\ndaemon off;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\nevents {{ worker_connections 4096; }}\n"
        f"http {{\n{log} client_body_temp_path {temp['body']};\n proxy_temp_path {temp['proxy']};\n"
        f" fastcgi_temp_path {temp['fastcgi']};\n uwsgi_temp_path {temp['uwsgi']};\n scgi_temp_path {temp['scgi']};\n"
        f"{site}\n}}\n",
        encoding="utf-8",
    )
    return config


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (openssl), so the configuration keeps its TLS lines."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    done = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ProxyError(f"openssl could not make a certificate: {done.stderr[-1000:]}")
    return cert, key


@dataclass
class Proxy:
    process: subprocess.Popen[bytes]
    folder: Path
    url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def access_log(self) -> list[str]:
        path = self.folder / "access.log"
        return path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []


def start(folder: Path, config: Path, url: str, timeout: float = 30.0) -> Proxy:
    """Check and start nginx on `config`; wait until `url`/_stcore/health answers through it."""
    if not Path(NGINX).exists():
        raise ProxyError("nginx is missing: install Debian's nginx-light (see .ci/run)")
    checked = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(folder)], capture_output=True, text=True)
    if checked.returncode != 0:
        raise ProxyError(f"nginx -t refused the configuration: {checked.stderr}")
    process = subprocess.Popen([NGINX, "-c", str(config), "-p", str(folder)], stderr=subprocess.DEVNULL)
    proxy = Proxy(process, folder, url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2, verify=False).status_code == 200:
                return proxy
        except httpx.TransportError:
            time.sleep(0.2)
    proxy.stop()
    raise ProxyError(f"nginx did not answer: {(folder / 'error.log').read_text(errors='replace')[-2000:]}")
