"""How a dashboard process is started, for the benchmarks and the browser tests alike."""

from __future__ import annotations

import socket
import sys


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dashboard_command(port: int) -> list[str]:
    """`streamlit run dashboard.py` on 127.0.0.1:`port`, headless, no usage statistics (run from the project root)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
