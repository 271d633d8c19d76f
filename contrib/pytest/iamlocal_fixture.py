"""pytest fixtures for iamlocal: one server per test session, the same state at each test's start.

Copy this file beside your tests (it needs boto3 and the standard library only) and bring its
fixtures into your conftest.py or test module:

    from iamlocal_fixture import iamlocal, iamlocal_server  # noqa: F401

    def test_create_user(iamlocal):
        iam = iamlocal.client("iam")
        iam.create_user(UserName="alice")

The server is the binary named by IAMLOCAL_BIN, else one built with `go build` from the
repository this file sits in, else `iamlocal` on PATH. It listens on a free port of 127.0.0.1
(-addr 127.0.0.1:0; the address is read from its banner), keeps its database in a temporary
directory, and applies IAMLOCAL_INIT when that is set. Right after start its state is saved as
the snapshot "pytest-session-start"; the `iamlocal` fixture restores it before every test, so
each test starts from the init file's state (or an empty one) whatever the others did.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.request
from pathlib import Path

import boto3
import pytest

SESSION_SNAPSHOT = "pytest-session-start"
_BANNER = re.compile(r"listening on (http://\S+)")


class IAMLocal:
    """A running iamlocal: SDK clients signed as the default account's root, and its admin endpoints."""

    def __init__(self, endpoint, region="us-east-1", access_key="test", secret_key="test"):
        self.endpoint = endpoint
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key

    def client(self, service, access_key=None, secret_key=None, session_token=None):
        """A boto3 client of this server, as root unless other credentials are given."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            aws_session_token=session_token,
        )

    def _admin(self, method, path, body=None):
        req = urllib.request.Request(self.endpoint + path, data=body, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")

    def reset(self):
        """Every account back to empty (POST /_iamlocal/reset)."""
        self._admin("POST", "/_iamlocal/reset")

    def snapshot(self, name):
        """Keep the current state under name (POST /_iamlocal/snapshots/{name})."""
        self._admin("POST", "/_iamlocal/snapshots/" + name)

    def restore(self, name):
        """Put back the state kept under name, in one transaction."""
        self._admin("POST", "/_iamlocal/snapshots/" + name + "/restore")

    def export_state(self):
        """The state file (GET /_iamlocal/state) as a dict; it holds secrets."""
        return self._admin("GET", "/_iamlocal/state")

    def import_state(self, state):
        """Replace every account's state with a state file's (PUT /_iamlocal/state)."""
        self._admin("PUT", "/_iamlocal/state", json.dumps(state).encode())


def _binary(workdir):
    given = os.environ.get("IAMLOCAL_BIN")
    if given:
        return given
    for parent in Path(__file__).resolve().parents:
        if (parent / "go.mod").is_file() and (parent / "cmd" / "iamlocal").is_dir():
            out = os.path.join(workdir, "iamlocal")
            subprocess.run(["go", "build", "-o", out, "./cmd/iamlocal"], cwd=parent, check=True)
            return out
    found = shutil.which("iamlocal")
    if not found:
        raise RuntimeError("no iamlocal: set IAMLOCAL_BIN, or keep this file inside the iamlocal repository, or put iamlocal on PATH")
    return found


def _drain(stream):
    for _ in stream:
        pass


@pytest.fixture(scope="session")
def iamlocal_server():
    """The session's server, started once, stopped (SIGTERM) at the end of the session."""
    workdir = tempfile.mkdtemp(prefix="iamlocal-pytest-")
    log_path = os.path.join(workdir, "iamlocal.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [_binary(workdir), "-addr", "127.0.0.1:0", "-data-dir", os.path.join(workdir, "data")],
            stdout=subprocess.PIPE, stderr=log, text=True)
    # A server that never prints its banner is stopped rather than hanging the session.
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    banner = proc.stdout.readline()
    watchdog.cancel()
    match = _BANNER.search(banner)
    if not match:
        proc.kill()
        with open(log_path) as f:
            raise RuntimeError("iamlocal did not start: %r\n%s" % (banner, f.read()))
    threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
    server = IAMLocal(match.group(1))
    server.snapshot(SESSION_SNAPSHOT)
    try:
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def iamlocal(iamlocal_server):
    """The session's server with the state it started with: restored before each test."""
    iamlocal_server.restore(SESSION_SNAPSHOT)
    return iamlocal_server
