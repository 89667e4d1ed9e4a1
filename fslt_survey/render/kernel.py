"""Run code cells in a Jupyter kernel of *this* interpreter (nbclient + ipykernel).

The kernelspec is built in memory from :data:`sys.executable`, so documents always run with
the packages of the environment that runs the engine (the project's venv), whatever
kernels happen to be registered on the machine.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from fslt_survey.render.errors import RenderError
from fslt_survey.render.host import current as current_host
from fslt_survey.render.pool import KernelPool

KERNEL_NAME = "fslt-python"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes (IPython tracebacks are coloured)."""
    return _ANSI.sub("", text)


class _InterpreterKernelSpecs(KernelSpecManager):
    """A kernelspec manager with one kernel: ipykernel on ``sys.executable``."""

    def __init__(self, env: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fslt_env = env

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return kernel_spec(self._fslt_env)


def kernel_spec(env: dict[str, str] | None = None) -> KernelSpec:
    """The spec of the kernel documents run in (the current interpreter)."""
    return KernelSpec(
        argv=[
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--HistoryManager.enabled=False",
        ],
        display_name=f"Python {sys.version_info.major}.{sys.version_info.minor}",
        language="python",
        env=dict(env or {}),
        resource_dir="",
        metadata={},
    )


def kernel_env(project_root: Path, document: Path | None = None) -> dict[str, str]:
    """Environment variables added for the kernel process.

    Quarto's own names, as Quarto sets them while executing a document:
    ``QUARTO_PROJECT_ROOT`` (and ``QUARTO_PROJECT_DIR``, as for project scripts),
    ``QUARTO_DOCUMENT_PATH`` (the document's folder) and ``QUARTO_DOCUMENT_FILE`` (its name),
    plus whatever the host adds (:mod:`fslt_survey.render.host`).
    """
    root = str(project_root)
    env = {
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "QUARTO_PROJECT_ROOT": root,
        "QUARTO_PROJECT_DIR": root,
    }
    if document is not None:
        env["QUARTO_DOCUMENT_PATH"] = str(document.parent)
        env["QUARTO_DOCUMENT_FILE"] = document.name
    host = current_host()
    if host.kernel_env is not None:
        env.update({str(k): str(v) for k, v in host.kernel_env(project_root).items()})
    return env


class KernelSession:
    """One kernel, started for one document, executing cells one at a time.

    Use :func:`kernel_session` to create it; call :meth:`run` with code to execute.
    """

    def __init__(self, client: NotebookClient, log_path: Path) -> None:
        self._client = client
        self._log_path = log_path

    def run(self, source: str, metadata: dict[str, Any] | None = None) -> nbformat.NotebookNode:
        """Execute ``source``; return the executed cell (outputs, execution_count)."""
        cell = nbformat.v4.new_code_cell(source, metadata=metadata or {})
        self._client.nb.cells.append(cell)
        try:
            self._client.execute_cell(cell, len(self._client.nb.cells) - 1)
        except DeadKernelError as exc:
            raise RenderError(
                "the Python kernel died while executing the document", found=self.log_tail()
            ) from exc
        except CellTimeoutError as exc:
            raise RenderError(
                f"a cell ran longer than execute.timeout ({self._client.timeout} s)"
            ) from exc
        return cell

    def log_tail(self, n: int = 15) -> str:
        try:
            lines = self._log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return strip_ansi("\n".join(lines[-n:]))


@contextmanager
def kernel_session(
    cwd: Path,
    project_root: Path,
    timeout: int | None = None,
    document: Path | None = None,
    pool: KernelPool | None = None,
) -> Iterator[KernelSession]:
    """Start a kernel of the current interpreter with working directory ``cwd``.

    With a ``pool`` (and a ``document``), the kernel is the document's forked one
    (:mod:`fslt_survey.render.pool`); else a classic kernel is started from scratch. The
    kernel's own stderr (start-up chatter) goes to a log file whose tail is used when the
    kernel fails to start or dies.
    """
    if pool is not None and document is not None:
        with forked_session(pool, document, timeout, cwd) as session:
            yield session
        return
    specs = _InterpreterKernelSpecs(kernel_env(project_root, document))
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)
    nb = nbformat.v4.new_notebook()
    client = NotebookClient(
        nb,
        km=km,
        timeout=timeout,
        allow_errors=True,
        record_timing=False,
        shutdown_kernel="immediate",  # all cells have run; nothing to wait for
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(cwd)}},
    )
    with tempfile.TemporaryDirectory(prefix="fslt-kernel-") as tmp:
        log_path = Path(tmp) / "kernel.log"
        with open(log_path, "wb") as log:
            try:
                ctx = client.setup_kernel(cleanup_kc=True, stderr=log, stdout=subprocess.DEVNULL)
                ctx.__enter__()
            except Exception as exc:  # kernel failed to start
                with contextlib.suppress(Exception):
                    if km.has_kernel:
                        run_sync(km.shutdown_kernel)(now=True)
                log.flush()
                tail = strip_ansi(log_path.read_text(encoding="utf-8", errors="replace"))
                raise RenderError(
                    f"could not start the Python kernel ({sys.executable}): {exc}",
                    found=tail[-500:] or None,
                ) from exc
            try:
                yield KernelSession(client, log_path)
            finally:
                ctx.__exit__(None, None, None)


def _client(timeout: int | None) -> NotebookClient:
    return NotebookClient(
        nbformat.v4.new_notebook(),
        timeout=timeout,
        allow_errors=True,
        record_timing=False,
        kernel_name=KERNEL_NAME,
    )


MODULES_CODE = "import sys as __s; print(' '.join(sorted(__s.modules))); del __s"


@contextmanager
def forked_session(
    pool: KernelPool, document: Path, timeout: int | None = None, cwd: Path | None = None
) -> Iterator[KernelSession]:
    """The document's kernel from ``pool``, connected; killed when the block ends.

    When the document ran to its end, the modules its kernel imported are passed to
    :meth:`KernelPool.learn`, so that the kernels forked after it have them already.
    """
    kernel = pool.take(document, cwd or document.parent)
    kc = AsyncKernelClient()
    try:
        kc.load_connection_file(str(kernel.connection_file))
        kc.start_channels()
        try:
            run_sync(_wait_ready)(kc, kernel.alive, 120)
        except RuntimeError as exc:
            tail = strip_ansi(kernel.log_path.read_text("utf-8", errors="replace"))[-500:]
            raise RenderError(
                f"could not start the Python kernel ({sys.executable}): {exc}", found=tail or None
            ) from exc
        kc.allow_stdin = False
        client = _client(timeout)
        client.kc = kc
        session = KernelSession(client, kernel.log_path)
        yield session
        cell = session.run(MODULES_CODE)
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
        pool.learn(text.split())
    finally:
        kc.stop_channels()
        kernel.kill()


async def _wait_ready(kc: AsyncKernelClient, alive: Any, timeout: float) -> None:
    """Until the kernel answers ``kernel_info`` on shell and its iopub is connected.

    (jupyter_client's ``wait_for_ready`` first waits for a heartbeat in 0.2 s steps.)
    """
    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        with contextlib.suppress(Empty):
            msg = await kc.shell_channel.get_msg(timeout=0.5)
            if msg["msg_type"] == "kernel_info_reply":
                with contextlib.suppress(Empty):
                    await kc.iopub_channel.get_msg(timeout=0.5)
                    return
        if not alive():
            raise RuntimeError("the kernel process ended before it answered")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the kernel did not answer in {timeout:g} s")
