"""Choosing the kernel a notebook runs in, and a kernel manager that keeps its log.

The notebook's kernelspec is used when it is installed (nbmake trusts it
blindly and fails when it is not).  Otherwise a Python notebook falls back to
``python3`` with a warning; a notebook in another language falls back to an
installed kernel of the same language, or is reported as a missing kernel.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

log = logging.getLogger(__name__)

FALLBACK = "python3"
PYTHON_NAMES = {"python", "python3", "ipython", "ipython3"}
QUIET_IPYKERNEL = ["--IPKernelApp.log_level=ERROR"]


@dataclass(frozen=True)
class KernelChoice:
    """The kernel to start, or ``error`` saying why none can be.

    ``extra_arguments`` are passed to the kernel (ipykernel's log level); they
    are left out for kernels that are not ipykernel.
    """

    name: str | None
    language: str
    warning: str | None = None
    error: str | None = None
    extra_arguments: tuple[str, ...] = ()


def installed_kernels() -> dict[str, dict[str, Any]]:
    """name → kernelspec dict (``argv``, ``language``, …) of the installed kernels."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        specs = KernelSpecManager().get_all_specs()
    except Exception as exc:  # noqa: BLE001 - broken kernel.json files: none installed
        log.warning("cannot list kernels: %s", exc)
        return {}
    return {name: entry.get("spec", {}) for name, entry in specs.items()}


def choose_kernel(
    notebook_kernel: str | None,
    notebook_language: str | None,
    requested: str | None = None,
    installed: dict[str, dict[str, Any]] | None = None,
) -> KernelChoice:
    """Pick the kernel: ``requested`` (``--kernel``), else the notebook's, else a fallback."""
    specs = installed_kernels() if installed is None else installed
    listing = ", ".join(sorted(specs)) or "none"
    if requested:
        if requested in specs:
            return _choice(requested, specs[requested])
        return KernelChoice(
            None,
            notebook_language or "python",
            error=f"kernel {requested!r} is not installed (installed kernels: {listing})",
        )
    if notebook_kernel and notebook_kernel in specs:
        return _choice(notebook_kernel, specs[notebook_kernel])
    shown = notebook_language or "python"
    language = shown.lower()
    named = f"kernel {notebook_kernel!r}" if notebook_kernel else "no kernel"
    if language in PYTHON_NAMES:
        if FALLBACK in specs:
            return _choice(
                FALLBACK,
                specs[FALLBACK],
                warning=f"the notebook names {named}, which is not installed here; ran it with {FALLBACK!r}"
                if notebook_kernel
                else None,
            )
        candidates = [
            n
            for n, s in sorted(specs.items())
            if str(s.get("language", "")).lower() in PYTHON_NAMES
        ]
    else:
        candidates = [
            n for n, s in sorted(specs.items()) if str(s.get("language", "")).lower() == language
        ]
    if candidates:
        return _choice(
            candidates[0],
            specs[candidates[0]],
            warning=f"the notebook names {named}, which is not installed here; ran it with {candidates[0]!r}",
        )
    return KernelChoice(
        None,
        shown,
        error=f"the notebook needs {named} ({shown}), which is not installed, and no installed "
        f"kernel runs {shown} (installed kernels: {listing}); install one or pass --kernel",
    )


def _choice(name: str, spec: dict[str, Any], warning: str | None = None) -> KernelChoice:
    argv = " ".join(str(part) for part in spec.get("argv", ()))
    extra = tuple(QUIET_IPYKERNEL) if "ipykernel" in argv else ()
    return KernelChoice(name, str(spec.get("language") or "python"), warning, None, extra)


def kernel_manager(
    name: str, cwd: str, log_file: IO[bytes] | None, env: Mapping[str, str] | None = None
) -> Any:
    """An ``AsyncKernelManager`` that starts the kernel in ``cwd`` (with ``env`` as its
    environment when given) and sends the kernel process's own stdout/stderr (its
    log, crash messages) to ``log_file`` instead of harden's terminal."""
    from jupyter_client.manager import AsyncKernelManager

    class _Manager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            kw.setdefault("cwd", cwd)
            if env is not None:
                kw.setdefault("env", dict(env))
            if log_file is not None:
                kw.setdefault("stdout", log_file)
                kw.setdefault("stderr", log_file)
            await super().start_kernel(**kw)
            # Kept so the exit code can be read after nbclient has cleaned up.
            self.harden_process = getattr(self.provisioner, "process", None)

    return _Manager(kernel_name=name)


def stop_kernels() -> int:
    """Kill every kernel this process started (jupyter_client marks a kernel with
    ``JPY_PARENT_PID``), with the processes each kernel started; the count killed.
    Run on Dask workers after Ctrl-C, so no kernel outlives a cancelled batch."""
    import os

    import psutil

    me = str(os.getpid())
    kernels = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.environ().get("JPY_PARENT_PID") == me:
                kernels.append(child)
        except psutil.Error:  # gone already, or not ours to read
            continue
    doomed = list(kernels)
    for kernel in kernels:
        try:
            doomed += kernel.children(recursive=True)
        except psutil.Error:
            continue
    for process in doomed:
        try:
            process.kill()
        except psutil.Error:
            continue
    psutil.wait_procs(doomed, timeout=5)
    return len(kernels)
