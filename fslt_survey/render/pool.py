"""A run's kernels, forked ahead of need from one pre-imported server (:mod:`.forkserver`).

:class:`KernelPool` starts the server once (it imports ``ipykernel`` and the installed modules
the documents to execute import at their top level), forks the kernel of the next document
while the current one runs, and kills each kernel when its document is done. The server
outlives a run while nothing it depends on changes (interpreter, modules, environment, the
host's cache inputs), so a batch of renders in one process (parameterised sheets) pays the
imports once. Where ``os.fork`` does not exist, :data:`AVAILABLE` is false and the engine
starts a classic kernel per document; so does ``RENDER_FORK_KERNELS=0``.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.connect import write_connection_file

from fslt_survey.render.errors import RenderError


def available() -> bool:
    """Forked kernels need ``os.fork``; ``RENDER_FORK_KERNELS=0`` turns them off (a kernel
    per document, started from scratch)."""
    return hasattr(os, "fork") and os.environ.get("RENDER_FORK_KERNELS", "1") != "0"

#: Always preloaded when installed: what the engine's own setup code imports in every kernel.
ENGINE_MODULES = ("matplotlib.pyplot", "matplotlib_inline.backend_inline")


def preload_modules(sources: Iterable[str]) -> list[str]:
    """Installed modules that the given cell sources import at their top level, plus
    :data:`ENGINE_MODULES`; a cell that is not plain Python (magics) is skipped."""
    names: dict[str, None] = dict.fromkeys(ENGINE_MODULES)
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(a.name for a in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module] = None
    return [n for n in names if _installed(n)]


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name.partition(".")[0]) is not None
    except (ImportError, ValueError):
        return False


class ForkServer:
    """The server process and its line protocol (thread-safe)."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="render-forkserver-"))
        self._log = open(self.folder / "server.log", "wb")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fslt_survey.render.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            cwd=cwd,
            text=True,
            start_new_session=True,
        )
        self._lock = threading.Lock()
        self.imported: list[str] | None = None  # the modules it imported when asked
        self.requested: set[str] = set()  # the modules it was asked to import

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            tail = (self.folder / "server.log").read_text("utf-8", errors="replace")[-800:]
            raise RenderError(
                f"the kernel fork server ({sys.executable}) ended", found=tail or None
            )
        return dict(json.loads(line))

    def request(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request (see :mod:`.forkserver`) and return the answer."""
        with self._lock:
            if self.imported is None:
                self._read()  # {"ready": ...}: ipykernel is imported
                self.imported = []
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            answer = self._read()
            self.imported += answer.get("imported") or []
            return answer

    def preload(self, modules: list[str]) -> dict[str, Any] | None:
        """Import the modules not asked for yet (before the kernels forked after this)."""
        new = [m for m in modules if m not in self.requested]
        self.requested.update(new)
        return self.request({"import": new}) if new else None

    def owns(self, pid: int) -> bool:
        """True while ``pid`` is a live kernel forked by this server."""
        try:
            stat = Path(f"/proc/{pid}/stat").read_text("ascii")
        except OSError:
            return sys.platform != "linux"
        return int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()  # the server kills its kernels and exits
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self._log):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_SHARED: dict[str, ForkServer] = {}
_SHARED_LOCK = threading.Lock()


def shared_server(env: dict[str, str], cwd: Path, fingerprint: str) -> tuple[ForkServer, bool]:
    """The process's server for this environment and these host inputs (one at a time), and
    whether it was started just now (else it already ran for an earlier render)."""
    key = hashlib.sha256(
        json.dumps([sys.executable, sorted(env.items()), str(cwd), fingerprint]).encode()
    ).hexdigest()
    with _SHARED_LOCK:
        server = _SHARED.get(key)
        if server is not None and server.proc.poll() is None:
            return server, False
        for old in _SHARED.values():
            old.close()
        _SHARED.clear()
        return _SHARED.setdefault(key, ForkServer(env, cwd)), True


@atexit.register
def close_shared() -> None:
    """Stop the shared server (at exit; tests call it to start from nothing)."""
    with _SHARED_LOCK:
        for server in _SHARED.values():
            server.close()
        _SHARED.clear()


_SPARE: dict[str, ForkedKernel] = {}


def _take_spare(key: str) -> ForkedKernel | None:
    with _SHARED_LOCK:
        kernel = _SPARE.pop(key, None)
    return kernel if kernel is not None and kernel.alive() else None


def _keep_spare(key: str, kernel: ForkedKernel) -> None:
    with _SHARED_LOCK:
        for old in _SPARE.values():
            old.kill()
        _SPARE.clear()
        _SPARE[key] = kernel


@dataclass
class ForkedKernel:
    """One document's kernel: its process, connection file and log."""

    pid: int
    connection_file: Path
    log_path: Path
    server: ForkServer

    def alive(self) -> bool:
        return self.server.owns(self.pid)

    def kill(self) -> None:
        if self.server.owns(self.pid):
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        self.connection_file.unlink(missing_ok=True)
        self.log_path.unlink(missing_ok=True)
        for socket_file in self.connection_file.parent.glob(
            self.connection_file.stem.removeprefix("kernel-") + "-*"
        ):
            socket_file.unlink(missing_ok=True)  # the IPC sockets a killed kernel leaves


class KernelPool:
    """Kernels for one run's documents, each forked ahead while the previous one executes.

    ``env_for(document)`` gives a kernel's extra environment (Quarto's variables and the
    host's); the server's own environment is the one of the project (no document's).
    ``memo`` (a JSON file) keeps the modules learned from kernels (:meth:`learn`) for the
    next run's server, which then imports them before the first document.
    """

    def __init__(
        self,
        project_root: Path,
        modules: list[str],
        env_for: Any,
        fingerprint: str,
        memo: Path | None = None,
    ) -> None:
        self.env_for = env_for
        self.memo = memo
        remembered = _read_memo(memo)
        modules = list(dict.fromkeys([*modules, *remembered]))
        base = {**os.environ, **env_for(None)}
        self.server, _ = shared_server(base, project_root, fingerprint)
        self._remembered = set(remembered)
        self._ahead: dict[tuple[Path, Path], list[Future[ForkedKernel]]] = {}
        self._lock = threading.Lock()
        self._forks = ThreadPoolExecutor(1, thread_name_prefix="render-fork")
        self._forks.submit(self.server.preload, modules)
        self._learned: set[str] = set(modules)
        self._last: tuple[Path, Path] | None = None
        self.started = 0

    def prestart(self, document: Path, cwd: Path) -> None:
        """Have one more kernel for ``document`` (running in ``cwd``) on the way: the previous
        run's spare for it, or one forked now (in the background); :meth:`take` takes them in
        order (a batch of one document queues one ahead)."""
        with self._lock:  # documents executing side by side ask from their own threads
            self._enqueue(document, cwd)

    def _enqueue(self, document: Path, cwd: Path) -> None:
        queue = self._ahead.setdefault((document, cwd), [])
        spare = _take_spare(self._spare_key(document, cwd))
        if spare is not None:
            done: Future[ForkedKernel] = Future()
            done.set_result(spare)
            queue.append(done)
        else:
            queue.append(self._forks.submit(self._fork, document, cwd))

    def take(self, document: Path, cwd: Path) -> ForkedKernel:
        """The oldest kernel on the way for ``document`` (see :meth:`prestart`), or a new one."""
        with self._lock:
            self._last = (document, cwd)
            if not self._ahead.get((document, cwd)):
                self._enqueue(document, cwd)
            coming = self._ahead[document, cwd].pop(0)
        return coming.result()

    def _env(self, document: Path) -> dict[str, str]:
        return {**os.environ, **self.env_for(document)}

    def _spare_key(self, document: Path, cwd: Path) -> str:
        items = sorted(self._env(document).items())
        return json.dumps([self.server.proc.pid, str(document), str(cwd), items])

    def _fork(self, document: Path, cwd: Path) -> ForkedKernel:
        name = uuid.uuid4().hex[:12]
        conn = self.server.folder / f"kernel-{name}.json"
        # local (IPC) sockets named after the kernel, not TCP ports: ports chosen free here
        # can be taken by another process before the kernel binds them (over a batch of 85
        # feedback sheets a kernel then failed to start now and then); a file name cannot be
        write_connection_file(str(conn), transport="ipc", ip=str(self.server.folder / name),
                              key=uuid.uuid4().hex.encode())
        log = self.server.folder / f"kernel-{name}.log"
        request = {"connection_file": str(conn), "cwd": str(cwd), "log": str(log)}
        pid = int(self.server.request({**request, "env": self._env(document)})["pid"])
        self.started += 1
        return ForkedKernel(pid, conn, log, self.server)

    def learn(self, modules: list[str]) -> None:
        """Have the server import what a finished kernel imported (for the kernels after it)."""
        new = [m for m in modules if m not in self._learned]
        self._learned.update(new)
        if new:
            self._forks.submit(self.server.preload, new)

    def close(self, *, spare: bool = False) -> None:
        """Kill the kernels forked ahead and not taken; the server stays for the next run.

        ``spare``: fork one more kernel for the last document and keep it for the next run
        (a batch of renders of one document with different parameters takes it at once).
        """
        for future in (f for queue in self._ahead.values() for f in queue):
            with contextlib.suppress(Exception):
                future.result().kill()
        self._ahead.clear()
        self._forks.shutdown(wait=True)
        if spare and self._last is not None:
            _keep_spare(self._spare_key(*self._last), self._fork(*self._last))
        if self.memo is not None and not self._learned <= self._remembered:
            with contextlib.suppress(OSError):
                self.memo.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.memo.with_name(f".{self.memo.name}-{uuid.uuid4().hex[:8]}")
                tmp.write_text(json.dumps(sorted(self._learned)), "utf-8")
                os.replace(tmp, self.memo)


def _read_memo(memo: Path | None) -> list[str]:
    try:
        names = json.loads(memo.read_text("utf-8")) if memo is not None else []
    except (OSError, ValueError):
        return []
    return [str(n) for n in names] if isinstance(names, list) else []
