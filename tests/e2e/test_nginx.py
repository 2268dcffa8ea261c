"""Two LogReg Lab replicas behind nginx (Debian's package), sticky per browser.

The proxy runs deploy/nginx-site.conf.template, the configuration deploy/README.md
tells people to install, wrapped in a minimal main configuration that keeps
every file nginx writes in a temporary folder. The browser reaches it as
http://lab.test:PORT, a name and a non-default port as in a real deployment
(Streamlit refuses a websocket whose Origin differs from Host, unless the Origin
is a loopback address). Checked: the whole journey (train, see it finish, move
the threshold) works through the proxy, websockets included; a CSV upload over
nginx's default 1 MB body limit reaches the session's replica and trains on it;
a session keeps its replica and its trained model when its websocket reconnects
after an nginx reload, health checks before it included (each one sets
Streamlit's xsrf cookie again with a new text); each browser's requests all
reach one replica; and a class of browsers is spread over both replicas.
"""
from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import signal
import struct
import subprocess
import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from .e2e_support import (CHROMIUM, CHROMIUM_ARGS, REPO_ROOT, VIEWPORT, choose_radio, confusion_counts, free_port, go,
                          no_exception, open_app, serve, shot, threshold_slider, train, upload, wait_idle, wait_until,
                          websocket_extensions)

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEMPLATE = REPO_ROOT / "deploy" / "nginx-site.conf.template"
HOST = "lab.test"  # the browser resolves it to 127.0.0.1
# Every request: status, request line, the replica that answered, and the key the upstream hashes,
# "$uid_got$uid_set", as its two halves (a log writes "-" for the empty one).
LOG_LINE = re.compile(r'(\d+) "(\S+) (\S+) [^"]*" (\S+) (\S+) (\S+)$')
MAIN_CONF = """
{user}worker_processes 1;
# After a reload the old worker closes its websockets within 1 s (by default it waits until they end).
worker_shutdown_timeout 1s;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format sticky '$status "$request" $upstream_addr $uid_got $uid_set';
    access_log {tmp}/access.log sticky;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/logreg-lab.conf;
}}
"""


def nginx_cli(tmp: Path, *args: str) -> list[str]:
    return [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), *args]


def site_config(listen: str, replicas: list[str]) -> str:
    servers = "\n".join(f"    server {url.removeprefix('http://')};" for url in replicas)
    return TEMPLATE.read_text().replace("@LISTEN@", listen).replace("@SERVERS@", servers)


@contextlib.contextmanager
def nginx(replicas: list[str], tmp: Path):
    if not Path(NGINX).exists():
        if os.environ.get("LOGREG_E2E_REQUIRED") == "1":
            pytest.fail(f"nginx is required (LOGREG_E2E_REQUIRED=1) but {NGINX} is missing: apt-get install nginx",
                        pytrace=False)
        pytest.skip("nginx is not installed (apt-get install nginx)")
    port = free_port()
    (tmp / "logreg-lab.conf").write_text(site_config(f"127.0.0.1:{port}", replicas))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temporary folder
    (tmp / "nginx.conf").write_text(MAIN_CONF.format(tmp=tmp, user=user))
    checked = subprocess.run(nginx_cli(tmp, "-t"), capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(nginx_cli(tmp, "-g", "daemon off;"), start_new_session=True, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), __import__("socket").create_connection(("127.0.0.1", port), 1):
                break
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "nginx did not start listening"
            time.sleep(0.1)
        yield f"http://{HOST}:{port}", tmp / "access.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGQUIT)  # graceful: let it write its logs
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


class Request(NamedTuple):
    status: str
    method: str
    path: str
    upstream: str
    key: str  # the browser's stickiness key, "logreg_replica=ID"


def logged(log: Path) -> list[Request]:
    """Each request nginx has logged so far."""
    requests = []
    for line in log.read_text().splitlines():
        m = LOG_LINE.match(line)
        assert m, line
        status, method, path, upstream, got, new = m.groups()
        assert (got == "-") != (new == "-"), line  # the id came with the request, or nginx has just made it
        requests.append(Request(status, method, path, upstream, new if got == "-" else got))
    return requests


def sticky_key(context) -> str:
    """A browser's key as nginx logs it: the cookie is the id's 16 bytes in base64, the log four native words in hex."""
    (cookie,) = [c["value"] for c in context.cookies() if c["name"] == "logreg_replica"]
    return "logreg_replica=" + "".join(f"{word:08X}" for word in struct.unpack("=4I", base64.b64decode(cookie)))


def browser_requests(log: Path, key: str, websockets: int = 1) -> list[Request]:
    """A browser's requests, once nginx has logged that many of its websockets (it logs one when it closes)."""
    def ours() -> list[Request]:
        requests = [r for r in logged(log) if r.key == key]
        return requests if sum(r.path.startswith("/_stcore/stream") for r in requests) >= websockets else []

    return wait_until(ours, 10, f"{websockets} websocket(s) of the browser in nginx's log")


@pytest.fixture(scope="module")
def browser(browser):
    """The session's Chromium launched again, resolving HOST to 127.0.0.1 (a launch flag, not a context option)."""
    lab = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                      args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"])
    yield lab
    lab.close()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """Two replicas and nginx in front of them: (proxy URL, access log, replica URLs)."""
    with serve("app.py", name="replica-a") as a, serve("app.py", name="replica-b") as b:
        with nginx([a.url, b.url], tmp_path_factory.mktemp("nginx")) as (url, log):
            yield url, log, [a.url, b.url]


def test_the_journey_through_nginx(page, proxied):
    url, _, _ = proxied
    extensions = websocket_extensions(page)
    open_app(page, url)
    assert extensions and all("permessage-deflate" in e for e in extensions), extensions  # nginx passes it on
    train(page, 5)
    go(page, "Threshold")
    before = confusion_counts(page)
    slider = threshold_slider(page)
    slider.focus()
    slider.press("End")
    wait_idle(page)
    no_exception(page)
    assert confusion_counts(page) != before
    shot(page, "nginx-threshold")


def ward_csv(rows: int = 6000, features: int = 12) -> bytes:
    """A generated two-class table of about 1.5 MB: over nginx's default body limit, which the template raises."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, features))
    sick = x @ rng.normal(size=features) + rng.normal(size=rows) > 0
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(features)])
    return frame.assign(diagnosis=np.where(sick, "sick", "well")).to_csv(index=False).encode()


def test_upload_through_nginx_reaches_the_sessions_replica(page, proxied):
    url, log, _ = proxied
    content = ward_csv()
    assert len(content) > 2**20
    open_app(page, url)
    go(page, "Data")
    choose_radio(page, "Dataset", "Upload CSV")
    upload(page, "ward.csv", content)
    train(page, 3)
    expect(page.get_by_text("ward.csv — 12 features, classes: sick, well").first).to_be_visible()
    key = sticky_key(page.context)
    page.context.close()
    ours = browser_requests(log, key)
    uploads = [r for r in ours if r.method == "PUT" and r.path.startswith("/_stcore/upload_file/")]
    assert [r.status for r in uploads] == ["204"], ours
    assert {r.upstream for r in ours} == {uploads[0].upstream}, ours


def test_a_reconnect_keeps_the_sessions_replica_and_model(page, proxied):
    url, log, _ = proxied
    open_app(page, url)
    train(page, 1)
    # Each response sets Streamlit's xsrf cookie again with a new text, as the health check before a reconnect does.
    page.evaluate("async () => { for (let i = 0; i < 8; i++) await fetch('/_stcore/health'); }")
    with page.expect_websocket(timeout=20_000):  # the dropped websocket is opened again
        subprocess.run(nginx_cli(log.parent, "-s", "reload"), check=True)  # as `systemctl reload nginx` does
    go(page, "Model")  # a run of whichever session the new websocket reached
    expect(page.get_by_text(re.compile(r"^Run 1 on "))).to_be_visible()
    key = sticky_key(page.context)
    page.context.close()
    ours = browser_requests(log, key, websockets=2)
    assert ours[0].path == "/", ours[0]  # the page load, keyed by $uid_set, has the key later requests send
    assert len({r.upstream for r in ours}) == 1, [(r.path, r.upstream) for r in ours if r.path.startswith("/_stcore/")]


def test_each_session_sticks_to_one_replica_and_a_class_uses_both(browser, proxied):
    url, log, replicas = proxied
    contexts = []
    for _ in range(12):
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        open_app(context.new_page(), url)
    for context in contexts:
        context.close()  # nginx logs a websocket when it closes
    time.sleep(1)
    served_by: dict[str, set[str]] = defaultdict(set)
    websockets: dict[str, str] = {}
    for request in logged(log):
        if request.upstream != "-":
            served_by[request.key].add(request.upstream)
        if request.path.startswith("/_stcore/stream"):
            assert request.status == "101", request  # the websocket upgrade went through
            websockets[request.key] = request.upstream
    assert len(websockets) >= 12
    assert all(len(upstreams) == 1 for upstreams in served_by.values()), served_by
    assert set(websockets.values()) == {r.removeprefix("http://") for r in replicas}
