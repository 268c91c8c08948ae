"""A minimal Streamlit websocket client: what a browser tab sends to `/_stcore/stream`, without a browser.

Used by the memory benchmark (bench/memory_bench.py) to make real page views against a real `streamlit run`
server, and by tests/browser/test_cache_browser.py to send the messages an anonymous client could send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Subprotocol

TIMEOUT_SECONDS = 120.0
T = TypeVar("T")


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to the end, also from code that already runs an event loop (Playwright's sync API
    in the browser tests): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


STREAMLIT = Subprotocol("streamlit")  # the websocket subprotocol of the browser app


def _stream_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1).rstrip("/") + "/_stcore/stream"


async def _view(base_url: str, page: str) -> bytes:
    async with websockets.connect(_stream_url(base_url), subprotocols=[STREAMLIT], max_size=None) as ws:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        rerun.rerun_script.page_name = page
        await ws.send(rerun.SerializeToString())
        received = bytearray()
        while True:
            raw = await asyncio.wait_for(ws.recv(), TIMEOUT_SECONDS)
            data = raw if isinstance(raw, bytes) else raw.encode()
            received += data
            message = ForwardMsg()
            message.ParseFromString(data)
            if message.WhichOneof("type") == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
                error = message.delta.new_element.exception
                raise RuntimeError(f"page {page or '(default)'} raised {error.type}: {error.message}")
            # A run that ended early for a rerun (a page switch, the sign-in's st.rerun) is not the page yet.
            finished = message.WhichOneof("type") == "script_finished"
            if finished and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return bytes(received)


def view_page(base_url: str, page: str = "") -> bytes:
    """Open a new session, run the app once on `page` (its URL path, "" for the default page) and return
    every ForwardMsg received until the run finished, concatenated (text shown on the page is in it as
    UTF-8); RuntimeError if the page showed an exception. The session is closed afterwards, as when a tab
    is closed."""
    return _run(lambda: _view(base_url, page))


async def _send_clear_cache(base_url: str, times: int) -> None:
    async with websockets.connect(_stream_url(base_url), subprotocols=[STREAMLIT], max_size=None) as ws:
        request = BackMsg()
        request.clear_cache = True
        for _ in range(times):
            await ws.send(request.SerializeToString())
        # A heartbeat is answered after every message before it was handled: then the requests were seen.
        heartbeat = BackMsg()
        heartbeat.app_heartbeat = True
        await ws.send(heartbeat.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(ws.recv(), TIMEOUT_SECONDS))
            if message.heartbeat_ack:
                return


def send_clear_cache(base_url: str, times: int = 1) -> None:
    """What Streamlit's developer menu "Clear cache" sends, from an anonymous client, `times` times."""
    _run(lambda: _send_clear_cache(base_url, times))
