"""Kernels forked from a pre-imported process: the cost of the imports is paid once per run.

A fresh Jupyter kernel spends most of its start on imports (IPython, ipykernel, and then the
document's own pandas, matplotlib...). The fork server is one process of the current interpreter
that imports those once; every document then gets its own kernel, forked from it and started
as a normal ipykernel on a connection file the engine wrote. Each document still runs in a
process of its own, so no document sees another's state; what they share is the state of the
imported modules right after import.

Protocol (one JSON object per line): the engine starts ``python -m fslt_survey.render.forkserver``;
the server imports ``ipykernel`` and answers ``{"ready": true}``. For ``{"import": [MODULE...]}``
(the modules the documents import at their top level, and what finished kernels had imported,
e.g. inside the toolkit's functions) it imports each one it can (a module that fails to import
is left for the document to import and fail on, with its own message) and answers
``{"imported": [MODULE...]}``; for ``{"connection_file", "cwd", "env", "log"}`` it forks a
kernel and answers ``{"pid": N}``. Output of imported modules goes to the server's stderr,
never into the protocol. When its stdin closes (the engine ended, however it ended), it kills
the kernels it forked and exits; a kernel whose server died exits too (ipykernel's parent
poller).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import sys
import traceback
from typing import Any


def _start_kernel(request: dict[str, Any]) -> None:
    """In the forked child: become a fresh ipykernel for ``request`` (never returns)."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the cells' subprocesses can be waited on
        signal.signal(signal.SIGINT, signal.default_int_handler)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(
            [
                "-f",
                request["connection_file"],
                "--HistoryManager.enabled=False",
                f"--IPKernelApp.parent_handle={os.getppid()}",
            ]
        )
        app.start()
        code = 0
    except BaseException:  # everything goes to the kernel's log; the engine reads its tail
        with contextlib.suppress(Exception):
            traceback.print_exc()
            sys.stderr.flush()
    finally:
        os._exit(code)


def _import(names: list[str]) -> list[str]:
    """Import what can be imported (failures are left to the documents)."""
    done = []
    for name in names:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
            done.append(name)
        except BaseException:  # a module may even call exit(); the document reports it
            continue
    return done


def serve() -> None:
    """The server's loop (see the module docstring)."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked kernels are reaped automatically
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the engine decides when we stop
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # like ipykernel_launcher: only installed modules are preloaded
    proto_fd = os.dup(1)
    os.dup2(2, 1)  # whatever an import prints goes to the log, not into the protocol
    out = os.fdopen(proto_fd, "w", encoding="utf-8")
    importlib.import_module("ipykernel.kernelapp")
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    children: list[int] = []
    for line in sys.stdin:
        request = json.loads(line)
        if "import" in request:
            out.write(json.dumps({"imported": _import(request["import"])}) + "\n")
            out.flush()
            continue
        pid = os.fork()
        if pid == 0:
            os.close(proto_fd)
            _start_kernel(request)
        children.append(pid)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()
    for pid in children:
        if _ours(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _ours(pid: int) -> bool:
    """True while ``pid`` is a live child of this server (not a reused process id)."""
    try:
        stat = open(f"/proc/{pid}/stat", encoding="ascii").read()  # noqa: SIM115
    except OSError:
        return sys.platform != "linux"  # elsewhere: trust the id (auto-reaped kernels are rare)
    return int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid()


if __name__ == "__main__":
    serve()
