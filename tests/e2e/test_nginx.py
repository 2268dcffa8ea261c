"""Two LogReg Lab replicas behind nginx (Debian's package), sticky per browser session.

The proxy runs deploy/nginx-site.conf.template, the configuration deploy/README.md
tells people to install, wrapped in a minimal main configuration that keeps
every file nginx writes in a temporary folder. Checked: the whole journey
(train, see it finish, move the threshold) works through the proxy, websockets
included; each browser session's requests all reach one replica; and a class
of sessions is spread over both replicas.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest

from .e2e_support import (REPO_ROOT, VIEWPORT, confusion_counts, free_port, go, no_exception, open_app, serve,
                          shot, threshold_slider, train, wait_idle)

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEMPLATE = REPO_ROOT / "deploy" / "nginx-site.conf.template"
# Every request: status, request line, the replica that answered, the session's stickiness cookie.
MAIN_CONF = """
{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format sticky '$status "$request" $upstream_addr "$cookie__streamlit_xsrf"';
    access_log {tmp}/access.log sticky;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/logreg-lab.conf;
}}
"""


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
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                            start_new_session=True, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), __import__("socket").create_connection(("127.0.0.1", port), 1):
                break
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "nginx did not start listening"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", tmp / "access.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGQUIT)  # graceful: let it write its logs
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """Two replicas and nginx in front of them: (proxy URL, access log, replica URLs)."""
    with serve("app.py", name="replica-a") as a, serve("app.py", name="replica-b") as b:
        with nginx([a.url, b.url], tmp_path_factory.mktemp("nginx")) as (url, log):
            yield url, log, [a.url, b.url]


def test_the_journey_through_nginx(page, proxied):
    url, _, _ = proxied
    open_app(page, url)
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
    for line in log.read_text().splitlines():
        m = re.match(r'(\d+) "(\S+) (\S+) [^"]*" (\S+) "([^"]*)"$', line)
        assert m, line
        status, _, path, upstream, cookie = m.groups()
        if cookie and cookie != "-" and upstream != "-":
            served_by[cookie].add(upstream)
        if path.startswith("/_stcore/stream"):
            assert status == "101", line  # the websocket upgrade went through
            websockets[cookie] = upstream
    assert len(websockets) >= 12
    assert all(len(upstreams) == 1 for upstreams in served_by.values()), served_by
    assert set(websockets.values()) == {r.removeprefix("http://") for r in replicas}
