"""Lint speed: ``harden lint`` against ``nbqa ruff`` and ``pynblint``, measured in one run.

    python benchmarks/bench_lint.py            # full run (>= 200 notebooks)
    python benchmarks/bench_lint.py --quick    # small corpus, fewer repeats: a smoke run

Machines are noisy (two cores, other work running), so every figure that
matters is a ratio against a baseline measured in the same run:

* ``harden lint --jobs 2 --no-cache`` wall time / ``nbqa ruff --no-cache`` wall
  time over the same corpus (target <= 0.4), and the same on a folder of real
  notebooks (``--real DIR``); harden from its filled cache, and CPU-time
  ratios, are shown beside;
* one notebook as pre-commit runs it: ``harden lint NB`` cold (target <= 0.35 s)
  and unchanged since the last run, from the cache (target <= 0.1 s), beside
  ``ruff check NB``;
* ``pynblint`` per-notebook time (one call per notebook, measured on a sample
  and extrapolated) / ``harden lint --jobs 2`` per-notebook time (target >= 20);
  ``--jobs 2`` is what ``harden lint`` does by default on a two-core machine
  (``--jobs`` defaults to the number of CPUs), the same run the nbqa ratio
  uses; the single-process ratio is reported beside it;
* ``harden --version`` and ``harden --help`` start-up, absolute (target < 0.2 s)
  and against ``python -c pass``.

``nbqa`` + ``ruff`` and ``pynblint`` (which needs ``click<8.2``) are installed
into their own virtual environments, ``benchmarks/.venv-nbqa/`` and
``benchmarks/.venv-pynblint/``, created on first use; the main environment is
never touched.  If an install fails that comparison is skipped with a message.

Until ``harden lint`` exists as a command, harden is driven through its Python
API (``harden.linter.lint_paths``) in a fresh ``python -c`` process that also
renders the JSON report, so the figure still includes interpreter start-up.

A table goes to stdout and everything measured to ``benchmarks/results/lint.json``.
Exit status: 0 when the benchmark ran (whether or not targets are met), 1 when
harden itself could not be run, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus as corpus_mod  # noqa: E402 - found through the sys.path line above

RESULTS = HERE / "results"
VENV_NBQA = HERE / ".venv-nbqa"
VENV_PYNBLINT = HERE / ".venv-pynblint"
NBQA_PACKAGES = ["nbqa", "ruff"]
PYNBLINT_PACKAGES = ["pynblint", "click<8.2"]

TARGETS = {
    # issue 9 item 18 (was 0.5): cold runs (--no-cache) on both corpora
    "harden_vs_nbqa_ruff": ("<=", 0.4),
    "real_vs_nbqa_ruff": ("<=", 0.4),
    # issue 9 item 17: one notebook as pre-commit runs it, cold and from the cache
    "one_cold_s": ("<=", 0.35),
    "one_cached_s": ("<=", 0.1),
    "pynblint_vs_harden": (">=", 20.0),
    "harden_version_s": ("<", 0.2),
    "harden_help_s": ("<", 0.2),
}

# The API fallback: lint, render JSON like `--format json --output FILE`, exit like the CLI.
# argv: corpus, jobs, output file, lenient ("1" skips rule-id validation of the
# configuration, for a tree whose packs name rules not written yet).
API_SNIPPET = r"""
import sys
corpus, jobs, out, lenient = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
if lenient:
    from harden.linter import engine as _engine
    _engine.validate_rules = lambda *args, **kwargs: None
from harden.errors import HardenError
from harden.linter import lint_paths
from harden.linter.formats import get_formatter
try:
    report = lint_paths([corpus], jobs=jobs)
except HardenError as exc:
    print(f"harden: {exc}", file=sys.stderr)
    sys.exit(2)
doc = get_formatter("json")(report.results, report.rules, color=False, fail_on=report.fail_on)
with open(out, "w", encoding="utf-8") as fh:
    fh.write(doc)
sys.exit(report.exit_code)
"""


# --------------------------------------------------------------------------- running things


@dataclass
class Run:
    seconds: float
    returncode: int | None  # None: timed out
    stdout: str = ""
    stderr: str = ""
    #: CPU time (user + system) of the process and the children it waited for:
    #: unlike wall time, hardly moved by other work on a shared machine.
    cpu: float = float("nan")

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def run(
    cmd: list[str],
    timeout: float | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """Wall and CPU time of one subprocess, output captured.

    Byte-code is allowed (``PYTHONDONTWRITEBYTECODE`` dropped): a pip-installed
    package has its ``.pyc`` files, so each tool runs as installed, after the
    warm-up run wrote them, and not recompiling its modules on every call."""
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cpu_before = _children_cpu()
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        return Run(time.perf_counter() - started, None, _text(exc.stdout), _text(exc.stderr))
    wall = time.perf_counter() - started
    return Run(wall, proc.returncode, proc.stdout, proc.stderr, _children_cpu() - cpu_before)


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # not on this platform
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


# --------------------------------------------------------------------------- venvs


def venv_bin(venv: Path, name: str) -> Path:
    sub = "Scripts" if os.name == "nt" else "bin"
    return venv / sub / (name + (".exe" if os.name == "nt" else ""))


def ensure_venv(venv: Path, packages: list[str], probe: str, log: Path) -> tuple[bool, str]:
    """Create ``venv`` with ``packages`` unless ``probe`` (a console script) already runs.

    Returns (ok, message).  Output of venv/pip goes to ``log``.
    """
    exe = venv_bin(venv, probe)
    if exe.exists() and run([str(exe), "--help"], timeout=120).returncode == 0:
        return True, f"using {venv.relative_to(ROOT)}"
    say(
        f"  installing {' '.join(packages)} into {venv.relative_to(ROOT)} (log: {log.relative_to(ROOT)})"
    )
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as fh:
        steps = [
            [sys.executable, "-m", "venv", "--clear", str(venv)],
            [str(venv_bin(venv, "python")), "-m", "pip", "install", "-q", *packages],
        ]
        for step in steps:
            fh.write("$ " + " ".join(step) + "\n")
            fh.flush()
            try:
                proc = subprocess.run(
                    step,
                    check=False,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    timeout=900,
                    stdin=subprocess.DEVNULL,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                return False, f"{step[0]} failed: {exc}"
            if proc.returncode != 0:
                return (
                    False,
                    f"`{' '.join(step[-len(packages) - 2 :])}` exited {proc.returncode} (see {log})",
                )
    if run([str(exe), "--help"], timeout=120).returncode != 0:
        return False, f"{exe} does not run after install (see {log})"
    return True, f"installed into {venv.relative_to(ROOT)}"


def pip_version(venv: Path, package: str) -> str | None:
    code = f"from importlib.metadata import version; print(version({package!r}))"
    res = run([str(venv_bin(venv, "python")), "-c", code], timeout=60)
    return res.stdout.strip() if res.returncode == 0 else None


# --------------------------------------------------------------------------- harden


@dataclass
class Harden:
    mode: str  # "cli" or "api"
    exe: str
    lenient: bool = False
    notes: list[str] = field(default_factory=list)

    def lint_cmd(self, corpus: Path, jobs: int, out: Path, cache: Path | None = None) -> list[str]:
        """``cache`` None: a cold run (``--no-cache``); else the cache folder to use."""
        if self.mode == "cli":
            return [
                self.exe,
                "lint",
                str(corpus),
                "--jobs",
                str(jobs),
                "--format",
                "json",
                "--output",
                str(out),
                *(["--cache-dir", str(cache)] if cache is not None else ["--no-cache"]),
            ]
        return [
            sys.executable,
            "-c",
            API_SNIPPET,
            str(corpus),
            str(jobs),
            str(out),
            "1" if self.lenient else "0",
        ]

    def describe(self) -> str:
        if self.mode == "cli":
            return "CLI: harden lint CORPUS --jobs N --format json --output FILE"
        extra = (
            " (configuration rule-id check skipped: packs name rules not written yet)"
            if self.lenient
            else ""
        )
        return f"API fallback: python -c 'harden.linter.lint_paths(...)' + JSON render{extra}"


def harden_exe() -> str | None:
    beside = Path(sys.executable).parent / "harden"
    if beside.exists():
        return str(beside)
    return shutil.which("harden")


def cli_has_cache(exe: str) -> bool:
    return "--no-cache" in run([exe, "lint", "--help"], timeout=60).stdout


def cli_available(exe: str | None) -> tuple[bool, str]:
    if exe is None:
        return False, "no `harden` executable on PATH"
    res = run([exe, "lint", "--help"], timeout=60)
    if res.returncode != 0:
        return (
            False,
            f"`harden lint --help` exited {res.returncode}: {last_line(res.stderr or res.stdout)}",
        )
    missing = [
        opt for opt in ("--jobs", "--format", "--output", "--no-cache") if opt not in res.stdout
    ]
    if missing:
        return False, f"`harden lint` has no {', '.join(missing)} option yet"
    return True, "harden lint works"


def choose_harden(mode: str, probe_nb: Path, tmp: Path) -> Harden | None:
    """Pick the CLI when it works, else the API; probe each on one notebook."""
    exe = harden_exe()
    notes: list[str] = []
    candidates: list[Harden] = []
    if mode in ("auto", "cli"):
        ok, why = cli_available(exe)
        if ok:
            candidates.append(Harden("cli", exe or "harden"))
        else:
            notes.append(f"CLI not used: {why}")
    if mode in ("auto", "api"):
        candidates += [Harden("api", exe or "", False), Harden("api", exe or "", True)]
    for cand in candidates:
        res = run(cand.lint_cmd(probe_nb, 1, tmp / "probe.json"), timeout=600)
        if res.returncode in (0, 1):
            cand.notes = notes
            return cand
        notes.append(
            f"{cand.describe()} failed on {probe_nb.name} "
            f"(exit {res.returncode}): {last_line(res.stderr or res.stdout)}"
        )
    for note in notes:
        say("  " + note)
    return None


def lint_summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {"error": f"could not read the JSON report: {exc}"}
    summary = data.get("summary", {})
    return {
        "notebooks": summary.get("notebooks", len(data.get("results", []))),
        "notebooks_with_errors": summary.get("notebooks_with_errors"),
        "findings": summary.get("findings"),
    }


# --------------------------------------------------------------------------- measurements


def startup(harden: Harden | None, runs: int) -> dict[str, Any]:
    """Median start-up of python -c pass, harden --version, harden --help (interleaved)."""
    cmds: dict[str, list[str]] = {"python_pass": [sys.executable, "-c", "pass"]}
    if harden is not None and harden.mode == "cli":
        cmds["harden_version"] = [harden.exe, "--version"]
        cmds["harden_help"] = [harden.exe, "--help"]
    else:
        # no CLI yet: the package import is the nearest proxy
        cmds["import_harden"] = [sys.executable, "-c", "import harden"]
    times: dict[str, list[float]] = {k: [] for k in cmds}
    codes: dict[str, int | None] = {}
    for cmd in cmds.values():  # warm-up: page cache, .pyc files
        run(cmd, timeout=60)
    for _ in range(runs):
        for name, cmd in cmds.items():
            res = run(cmd, timeout=60)
            times[name].append(res.seconds)
            codes[name] = res.returncode
    return {
        name: {
            "command": cmds[name],
            "median_s": median(ts),
            "min_s": min(ts),
            "runs": ts,
            "exit_code": codes[name],
        }
        for name, ts in times.items()
    }


def nbqa_tools() -> tuple[Path | None, str]:
    """The ``nbqa`` executable of ``.venv-nbqa`` (created on first use), or why not."""
    ok, msg = ensure_venv(VENV_NBQA, NBQA_PACKAGES, "nbqa", RESULTS / "install-nbqa.log")
    return (venv_bin(VENV_NBQA, "nbqa") if ok else None), msg


def measure_corpus(
    harden: Harden,
    corpus: Path,
    n: int,
    jobs_list: list[int],
    repeat: int,
    timeout: float,
    tmp: Path,
    nbqa: Path | None,
    nbqa_note: str,
    label: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """harden cold (``--no-cache``) for each ``--jobs``, harden from a filled cache
    (``--jobs 2``, CLI only) and ``nbqa ruff --no-cache``, in interleaved rounds so
    drifting load hits every variant alike.  Returns (harden figures, nbqa figures)."""
    variants: dict[str, tuple[int, bool]] = {f"jobs{j}": (j, False) for j in jobs_list}
    cache = tmp / f"cache-{label}"
    if harden.mode == "cli" and cli_has_cache(harden.exe):
        cached_jobs = 2 if 2 in jobs_list else jobs_list[-1]
        variants[f"jobs{cached_jobs}_cached"] = (cached_jobs, True)
        say(f"  {label}: filling harden's cache (not timed) ...")
        run(harden.lint_cmd(corpus, cached_jobs, tmp / "fill.json", cache), timeout=timeout)
    out: dict[str, Any] = {
        key: {"jobs": jobs, "cached": cached, "runs": []}
        for key, (jobs, cached) in variants.items()
    }
    # --no-cache: ruff would otherwise reuse results between runs
    nbqa_cmd = [str(nbqa), "ruff", str(corpus), "--no-cache"] if nbqa is not None else None
    nbqa_runs: list[dict[str, Any]] = []
    nbqa_failed = ""
    for r in range(repeat):
        for key, (jobs, cached) in variants.items():
            report = tmp / f"harden-{label}-{key}-{r}.json"
            cmd = harden.lint_cmd(corpus, jobs, report, cache if cached else None)
            say(
                f"  {label}: harden lint --jobs {jobs}{' (cached)' if cached else ''} "
                f"(run {r + 1}/{repeat}) ..."
            )
            res = run(cmd, timeout=timeout)
            entry = {
                "seconds": res.seconds,
                "cpu_s": res.cpu,
                "exit_code": res.returncode,
                "timed_out": res.timed_out,
            }
            if res.returncode not in (0, 1):
                entry["stderr"] = last_line(res.stderr)
            entry.update(lint_summary(report) if report.exists() else {})
            out[key]["runs"].append(entry)
            out[key]["command"] = (
                cmd if harden.mode == "cli" else [cmd[0], "-c", "<API_SNIPPET>", *cmd[3:]]
            )
        if nbqa_cmd is not None and not nbqa_failed:
            say(f"  {label}: nbqa ruff (run {r + 1}/{repeat}) ...")
            res = run(nbqa_cmd, timeout=timeout, cwd=ROOT)
            nbqa_runs.append(
                {
                    "seconds": res.seconds,
                    "cpu_s": res.cpu,
                    "exit_code": res.returncode,
                    "timed_out": res.timed_out,
                    "summary": last_line(res.stdout),
                }
            )
            if res.returncode not in (0, 1):
                nbqa_failed = (
                    f"nbqa ruff exited {res.returncode}: {last_line(res.stderr or res.stdout)}"
                )
    for m in out.values():
        secs = [e["seconds"] for e in m["runs"]]
        m["median_s"] = median(secs)
        m["median_cpu_s"] = median([e["cpu_s"] for e in m["runs"]])
        m["timed_out"] = any(e["timed_out"] for e in m["runs"])
        m["per_notebook_s"] = m["median_s"] / n
        m["notebooks_per_s"] = n / m["median_s"]
        last = m["runs"][-1]
        m["ok"] = last["exit_code"] in (0, 1) and last.get("notebooks") == n
        if last.get("notebooks") not in (None, n):
            m["warning"] = (
                f"the report covers {last.get('notebooks')} notebooks, the corpus has {n}"
            )
        elif last["exit_code"] not in (0, 1) and not last["timed_out"]:
            m["warning"] = f"exit {last['exit_code']}: {last.get('stderr') or 'input errors'}"
    if nbqa_cmd is None:
        nbqa_result: dict[str, Any] = {"available": False, "reason": nbqa_note}
    elif nbqa_failed:
        nbqa_result = {
            "available": False,
            "command": nbqa_cmd,
            "runs": nbqa_runs,
            "reason": nbqa_failed,
        }
    else:
        nbqa_result = {
            "available": True,
            "command": nbqa_cmd,
            "runs": nbqa_runs,
            "median_s": median([e["seconds"] for e in nbqa_runs]),
            "median_cpu_s": median([e["cpu_s"] for e in nbqa_runs]),
            "timed_out": any(e["timed_out"] for e in nbqa_runs),
            "note": nbqa_note,
            "versions": {p: pip_version(VENV_NBQA, p) for p in ("nbqa", "ruff")},
        }
    return out, nbqa_result


def measure_one(harden: Harden, notebook: Path, runs: int, tmp: Path) -> dict[str, Any]:
    """One notebook as pre-commit runs it: ``harden lint NB`` cold (``--no-cache``)
    and from a filled cache, beside ``ruff check`` on the same notebook (without
    and with its cache) and ``python -c pass``; interleaved rounds, medians."""
    cache = tmp / "cache-one"
    cmds: dict[str, list[str]] = {
        "python_pass": [sys.executable, "-c", "pass"],
        "harden_cold": [harden.exe, "lint", str(notebook), "--no-cache"],
        "harden_cached": [harden.exe, "lint", str(notebook), "--cache-dir", str(cache)],
    }
    ruff = venv_bin(VENV_NBQA, "ruff")
    if ruff.exists():
        ruff_cache = tmp / "ruff-cache-one"
        cmds["ruff_cold"] = [str(ruff), "check", "--no-cache", str(notebook)]
        cmds["ruff_cached"] = [str(ruff), "check", "--cache-dir", str(ruff_cache), str(notebook)]
    times: dict[str, list[float]] = {k: [] for k in cmds}
    cpus: dict[str, list[float]] = {k: [] for k in cmds}
    codes: dict[str, int | None] = {}
    for cmd in cmds.values():  # warm-up: page cache, .pyc files, and fills both caches
        run(cmd, timeout=120)
    for _ in range(runs):
        for name, cmd in cmds.items():
            res = run(cmd, timeout=120)
            times[name].append(res.seconds)
            cpus[name].append(res.cpu)
            codes[name] = res.returncode
    out: dict[str, Any] = {
        "notebook": str(notebook.relative_to(ROOT) if ROOT in notebook.parents else notebook),
        "runs": runs,
    }
    for name, ts in times.items():
        out[name] = {
            "command": cmds[name],
            "median_s": median(ts),
            "median_cpu_s": median(cpus[name]),
            "min_s": min(ts),
            "runs": ts,
            "exit_code": codes[name],
        }
    return out


def sample(paths: list[Path], k: int) -> list[Path]:
    """``k`` notebooks spread evenly over the sorted corpus (deterministic)."""
    if k >= len(paths):
        return list(paths)
    step = len(paths) / k
    return [paths[int(i * step)] for i in range(k)]


def measure_pynblint(paths: list[Path], k: int, timeout: float, tmp: Path) -> dict[str, Any]:
    ok, msg = ensure_venv(
        VENV_PYNBLINT, PYNBLINT_PACKAGES, "pynblint", RESULTS / "install-pynblint.log"
    )
    if not ok:
        return {"available": False, "reason": msg}
    exe = venv_bin(VENV_PYNBLINT, "pynblint")
    chosen = sample(paths, k)
    say(f"  pynblint: one call per notebook on a sample of {len(chosen)} ...")
    run([str(exe), "--help"], timeout=120)  # warm-up
    calls = []
    for nb in chosen:
        # -y: never prompt; -q and -o: no terminal rendering, report to a file
        res = run(
            [str(exe), "-y", "-q", "-o", str(tmp / "pynblint.json"), str(nb)],
            timeout=timeout,
            cwd=tmp,
        )
        calls.append(
            {
                "notebook": nb.name,
                "seconds": res.seconds,
                "exit_code": res.returncode,
                **({"error": last_line(res.stderr or res.stdout)} if res.returncode else {}),
            }
        )
    secs = [c["seconds"] for c in calls]
    failed = sum(1 for c in calls if c["exit_code"] != 0)
    result = {
        "available": True,
        "note": msg,
        "sample": len(chosen),
        "calls": calls,
        "mean_per_notebook_s": statistics.fmean(secs),
        "median_per_notebook_s": median(secs),
        "extrapolated_total_s": statistics.fmean(secs) * len(paths),
        "failed_calls": failed,
        "versions": {p: pip_version(VENV_PYNBLINT, p) for p in ("pynblint", "click")},
    }
    if failed == len(calls):
        result["available"] = False
        result["reason"] = f"every pynblint call failed, e.g. {calls[0].get('error')}"
    return result


# --------------------------------------------------------------------------- report


def ratio(name: str, value: float | None, bound: str = "") -> dict[str, Any]:
    """``value`` against its target.  ``bound`` is "lower" when the true value can only be
    higher (a timed-out numerator), "upper" when it can only be lower; then the verdict is
    given only when the bound settles it."""
    op, target = TARGETS[name]
    met = None
    if value is not None and not math.isnan(value):
        met = {"<=": value <= target, ">=": value >= target, "<": value < target}[op]
        higher_is_better = op == ">="
        if bound == "lower" and met != higher_is_better:
            met = None
        if bound == "upper" and met == higher_is_better:
            met = None
    return {"value": value, "target": f"{op} {target:g}", "met": met, "bound": bound or None}


def compute_ratios(results: dict[str, Any]) -> dict[str, Any]:
    h = results.get("harden_lint") or {}
    nbqa = results.get("nbqa_ruff") or {}
    pyn = results.get("pynblint") or {}
    st = results.get("startup") or {}
    n = results["corpus"]["notebooks"]
    out: dict[str, Any] = {}
    best_key = "jobs2" if "jobs2" in h else next(iter(h), None)
    if best_key and nbqa.get("available"):
        hb = h[best_key]
        bound = "lower" if hb["timed_out"] else ("upper" if nbqa.get("timed_out") else "")
        out["harden_vs_nbqa_ruff"] = {
            **ratio("harden_vs_nbqa_ruff", hb["median_s"] / nbqa["median_s"], bound),
            "harden": best_key,
        }
        for key, hm in h.items():
            out[f"harden_{key}_vs_nbqa_ruff"] = {"value": hm["median_s"] / nbqa["median_s"]}
            out[f"harden_{key}_vs_nbqa_ruff_cpu"] = {
                "value": hm.get("median_cpu_s", math.nan) / nbqa.get("median_cpu_s", math.nan)
            }
    if best_key and pyn.get("available"):
        hb = h[best_key]
        bound = "upper" if hb["timed_out"] else ""
        out["pynblint_vs_harden"] = {
            **ratio("pynblint_vs_harden", pyn["mean_per_notebook_s"] / hb["per_notebook_s"], bound),
            "harden": best_key,
        }
        for key, hm in h.items():
            out[f"pynblint_vs_harden_{key}"] = {
                "value": pyn["mean_per_notebook_s"] / hm["per_notebook_s"]
            }
    real = results.get("real") or {}
    rh, rn = real.get("harden_lint") or {}, real.get("nbqa_ruff") or {}
    if "jobs2" in rh and rn.get("available"):
        bound = "lower" if rh["jobs2"]["timed_out"] else ("upper" if rn.get("timed_out") else "")
        out["real_vs_nbqa_ruff"] = {
            **ratio("real_vs_nbqa_ruff", rh["jobs2"]["median_s"] / rn["median_s"], bound),
            "harden": "jobs2",
        }
        for key, hm in rh.items():
            out[f"real_{key}_vs_nbqa_ruff"] = {"value": hm["median_s"] / rn["median_s"]}
            out[f"real_{key}_vs_nbqa_ruff_cpu"] = {
                "value": hm.get("median_cpu_s", math.nan) / rn.get("median_cpu_s", math.nan)
            }
    one = results.get("one_notebook") or {}
    for kind in ("cold", "cached"):
        figure = one.get(f"harden_{kind}")
        if figure is None:
            continue
        out[f"one_{kind}_s"] = {
            **ratio(f"one_{kind}_s", figure["median_s"]),
            # CPU time hardly moves with other work on the machine, wall time does
            "cpu_s": figure.get("median_cpu_s"),
        }
        for base_name in ("ruff_cold", "ruff_cached", "python_pass"):
            if base_name in one:
                out[f"one_{kind}_vs_{base_name}"] = {
                    "value": figure["median_s"] / one[base_name]["median_s"]
                }
    base = (st.get("python_pass") or {}).get("median_s")
    for name in ("harden_version", "harden_help"):
        if name in st:
            out[f"{name}_s"] = {
                **ratio(f"{name}_s", st[name]["median_s"]),
                "vs_python_pass": st[name]["median_s"] / base if base else None,
                "over_python_pass_s": st[name]["median_s"] - base if base else None,
            }
    if "import_harden" in st and base:
        out["import_harden_s"] = {
            "value": st["import_harden"]["median_s"],
            "vs_python_pass": st["import_harden"]["median_s"] / base,
            "note": "proxy: no harden CLI yet",
        }
    del n
    return out


def fmt_s(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "-"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def verdict(r: dict[str, Any]) -> str:
    if r.get("met") is None:
        return "n/a" if r.get("value") is None else "?"
    return "met" if r["met"] else "MISSED"


def print_table(results: dict[str, Any]) -> None:
    c = results["corpus"]
    m = results["machine"]
    h = results.get("harden_lint") or {}
    nbqa = results.get("nbqa_ruff") or {}
    pyn = results.get("pynblint") or {}
    st = results.get("startup") or {}
    rt = results.get("ratios") or {}
    n = c["notebooks"]
    w = 44
    print()
    print(
        f"harden lint benchmark: {n} notebooks ({len(c.get('examples', []))} examples + "
        f"{c.get('generated')} generated), {c['code_cells']:,} code cells, "
        f"{c['code_lines']:,} code lines, {c['bytes'] / 1e6:.1f} MB"
    )
    print(
        f"machine: {m['cpus']} CPUs, Python {m['python']}, load average {m['load_before']} "
        f"-> {m['load_after']}"
    )
    print(f"harden via {results['harden_mode']}")
    print()
    print(f"{'corpus run':<{w}}{'wall s':>10}{'s / notebook':>14}{'notebooks/s':>13}")
    print("-" * (w + 37))
    for _key, hm in h.items():
        flag = " (timed out)" if hm["timed_out"] else ""
        how = "from its cache" if hm.get("cached") else "--no-cache"
        label = f"harden lint --jobs {hm['jobs']} {how}{flag}"
        print(
            f"{label:<{w}}{fmt_s(hm['median_s']):>10}{hm['per_notebook_s']:>14.4f}"
            f"{hm['notebooks_per_s']:>13.1f}"
        )
        if hm.get("warning"):
            print(f"    warning: {hm['warning']}")
    if nbqa.get("available"):
        print(
            f"{'nbqa ruff':<{w}}{fmt_s(nbqa['median_s']):>10}{nbqa['median_s'] / n:>14.4f}"
            f"{n / nbqa['median_s']:>13.1f}"
        )
    else:
        print(f"{'nbqa ruff':<{w}}skipped: {nbqa.get('reason', 'not run')}")
    if pyn.get("available"):
        label = f"pynblint (1 call/nb, sample {pyn['sample']}, extrap.)"
        print(
            f"{label:<{w}}{fmt_s(pyn['extrapolated_total_s']):>10}"
            f"{pyn['mean_per_notebook_s']:>14.4f}{1 / pyn['mean_per_notebook_s']:>13.1f}"
        )
        if pyn["failed_calls"]:
            print(
                f"    note: {pyn['failed_calls']} of {pyn['sample']} pynblint calls exited non-zero"
            )
    else:
        print(f"{'pynblint':<{w}}skipped: {pyn.get('reason', 'not run')}")
    real = results.get("real")
    if real:
        rn_ = real["nbqa_ruff"]
        print()
        print(
            f"real corpus: {real['notebooks']} notebooks in {real['path']}, "
            f"{real['bytes'] / 1e6:.1f} MB"
        )
        print(f"{'corpus run':<{w}}{'wall s':>10}{'s / notebook':>14}{'notebooks/s':>13}")
        print("-" * (w + 37))
        for hm in real["harden_lint"].values():
            how = "from its cache" if hm.get("cached") else "--no-cache"
            label = f"harden lint --jobs {hm['jobs']} {how}"
            print(
                f"{label:<{w}}{fmt_s(hm['median_s']):>10}{hm['per_notebook_s']:>14.4f}"
                f"{hm['notebooks_per_s']:>13.1f}"
            )
        if rn_.get("available"):
            count = real["notebooks"]
            print(
                f"{'nbqa ruff --no-cache':<{w}}{fmt_s(rn_['median_s']):>10}"
                f"{rn_['median_s'] / count:>14.4f}{count / rn_['median_s']:>13.1f}"
            )
    one = results.get("one_notebook")
    if one:
        print()
        title = f"one notebook: {one['notebook']} (median of {one['runs']})"
        print(f"{title:<{w}}{'s':>10}{'x ruff':>10}{'x ruff cached':>14}{'CPU s':>8}")
        print("-" * (w + 37))
        for name, label in (
            ("python_pass", "python -c pass"),
            ("harden_cold", "harden lint NB --no-cache"),
            ("harden_cached", "harden lint NB (unchanged, cached)"),
            ("ruff_cold", "ruff check --no-cache NB"),
            ("ruff_cached", "ruff check NB (cached)"),
        ):
            if name in one:
                sec = one[name]["median_s"]
                vs = [
                    f"{sec / one[b]['median_s']:.2f}" if b in one else "-"
                    for b in ("ruff_cold", "ruff_cached")
                ]
                cpu = one[name].get("median_cpu_s", math.nan)
                print(f"{label:<{w}}{sec:>10.3f}{vs[0]:>10}{vs[1]:>14}{cpu:>8.3f}")
    print()
    runs = len((st.get("python_pass") or {}).get("runs", []))
    print(f"{f'start-up (median of {runs})':<{w}}{'s':>10}{'x python -c pass':>18}")
    print("-" * (w + 37))
    base = (st.get("python_pass") or {}).get("median_s")
    for name, label in (
        ("python_pass", "python -c pass"),
        ("harden_version", "harden --version"),
        ("harden_help", "harden --help"),
        ("import_harden", "python -c 'import harden' (proxy, no CLI)"),
    ):
        if name in st:
            rel = st[name]["median_s"] / base if base else float("nan")
            print(f"{label:<{w}}{st[name]['median_s']:>10.3f}{rel:>18.2f}")
    print()
    print(f"{'ratio (same run)':<{w}}{'value':>10}{'target':>10}{'':>3}verdict")
    print("-" * (w + 37))
    rows = [
        ("harden_vs_nbqa_ruff", "harden --jobs 2 / nbqa ruff (wall)", "x"),
        ("harden_jobs1_vs_nbqa_ruff", "harden --jobs 1 / nbqa ruff (wall)", "x"),
        ("harden_jobs2_cached_vs_nbqa_ruff", "harden -j 2 cached / nbqa ruff (wall)", "x"),
        ("harden_jobs1_vs_nbqa_ruff_cpu", "harden --jobs 1 / nbqa ruff (CPU time)", "x"),
        ("real_vs_nbqa_ruff", "real: harden --jobs 2 / nbqa ruff", "x"),
        ("real_jobs1_vs_nbqa_ruff", "real: harden --jobs 1 / nbqa ruff", "x"),
        ("real_jobs2_cached_vs_nbqa_ruff", "real: harden -j 2 cached / nbqa ruff", "x"),
        ("real_jobs1_vs_nbqa_ruff_cpu", "real: harden --jobs 1 / nbqa ruff (CPU)", "x"),
        ("one_cold_s", "one notebook, cold (absolute)", "s"),
        ("one_cold_vs_ruff_cold", "one notebook, cold / ruff --no-cache", "x"),
        ("one_cached_s", "one notebook, cached (absolute)", "s"),
        ("one_cached_vs_ruff_cached", "one notebook, cached / ruff cached", "x"),
        ("pynblint_vs_harden", "pynblint / harden --jobs 2 (per notebook)", "x"),
        ("pynblint_vs_harden_jobs1", "pynblint / harden --jobs 1 (per notebook)", "x"),
        ("harden_version_s", "harden --version (absolute)", "s"),
        ("harden_help_s", "harden --help (absolute)", "s"),
    ]
    for key, label, unit in rows:
        r = rt.get(key)
        if r is None:
            continue
        val = r["value"]
        shown = "-" if val is None else (f"{val:.3f}" if unit == "s" else f"{val:.2f}")
        if r.get("bound") == "lower":
            shown = ">=" + shown
        elif r.get("bound") == "upper":
            shown = "<=" + shown
        target = r.get("target", "")
        print(f"{label:<{w}}{shown:>10}{target:>10}{'':>3}{verdict(r) if target else ''}")
    targeted = ("harden_vs_nbqa_ruff", "pynblint_vs_harden", "harden_version_s", "harden_help_s")
    missing = [label for key, label, _ in rows if key in targeted and key not in rt]
    if missing:
        print(f"not measured: {', '.join(missing)}")
    print()
    print(f"JSON: {results['json_path']}")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("HARDEN_BENCH_QUICK") == "1",
        help="smoke run: 30 generated notebooks, fewer repeats (also HARDEN_BENCH_QUICK=1)",
    )
    parser.add_argument("--count", type=int, help="generated notebooks (default 200; quick 30)")
    parser.add_argument("--seed", type=int, default=corpus_mod.DEFAULT_SEED)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each corpus-wide command; the median is reported (default 1)",
    )
    parser.add_argument(
        "--startup-runs", type=int, help="runs per start-up command (default 15; quick 5)"
    )
    parser.add_argument(
        "--pynblint-sample", type=int, help="notebooks given to pynblint (default 20; quick 5)"
    )
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values (default 1 2)"
    )
    parser.add_argument(
        "--mode",
        choices=("auto", "cli", "api"),
        default="auto",
        help="how to run harden: the CLI when it works (auto), or force one",
    )
    parser.add_argument("--no-nbqa", action="store_true", help="skip nbqa ruff")
    parser.add_argument(
        "--real",
        type=Path,
        default=Path(os.environ["HARDEN_BENCH_REAL"])
        if os.environ.get("HARDEN_BENCH_REAL")
        else None,
        help="a folder of real notebooks, measured like the benchmark corpus in the same run "
        "(also HARDEN_BENCH_REAL)",
    )
    parser.add_argument(
        "--one",
        type=Path,
        default=ROOT / "notebooks" / "examples" / "churn_messy.ipynb",
        help="the notebook of the one-notebook figures (default: %(default)s)",
    )
    parser.add_argument(
        "--one-runs", type=int, help="rounds of the one-notebook figures (default 15; quick 5)"
    )
    parser.add_argument("--no-one", action="store_true", help="skip the one-notebook figures")
    parser.add_argument("--no-pynblint", action="store_true", help="skip pynblint")
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds allowed per corpus-wide run (default %(default)s)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "lint.json")
    args = parser.parse_args(argv)
    count = (
        args.count if args.count is not None else (30 if args.quick else corpus_mod.DEFAULT_COUNT)
    )
    startup_runs = args.startup_runs or (5 if args.quick else 15)
    pyn_sample = args.pynblint_sample or (5 if args.quick else 20)
    one_runs = args.one_runs or (5 if args.quick else 15)
    one_nb = args.one.resolve()
    real_dir = args.real.resolve() if args.real else None
    real_paths = sorted(real_dir.rglob("*.ipynb")) if real_dir else []
    if real_dir and not real_paths:
        parser.error(f"--real {real_dir}: no notebooks there")
    if count < 1 or args.repeat < 1 or startup_runs < 1 or pyn_sample < 1 or min(args.jobs) < 1:
        parser.error("counts, repeats and --jobs must be positive")
    dest = corpus_mod.DEFAULT_DEST  # rebuilt on every run (a few seconds), so never stale
    RESULTS.mkdir(parents=True, exist_ok=True)

    say("building the corpus ...")
    paths = corpus_mod.build_corpus(dest, count, args.seed)
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    n = len(paths)
    for p in [*paths, *real_paths]:  # warm the page cache: the first tool is not penalised
        p.read_bytes()

    results: dict[str, Any] = {
        "benchmark": "lint",
        "schema": 1,
        "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_before": _load(),
        },
        "corpus": {"path": str(dest.relative_to(ROOT)), **manifest},
        "settings": {
            "repeat": args.repeat,
            "startup_runs": startup_runs,
            "pynblint_sample": pyn_sample,
            "jobs": args.jobs,
            "timeout_s": args.timeout,
            "quick": args.quick,
            "one_runs": one_runs,
            "real": str(real_dir) if real_dir else None,
        },
    }

    with tempfile.TemporaryDirectory(prefix="harden-bench-") as tmpname:
        tmp = Path(tmpname)
        say("checking how to run harden ...")
        probe_nb = min(paths, key=lambda p: p.stat().st_size)
        harden = choose_harden(args.mode, probe_nb, tmp)
        if harden is None:
            results["harden_mode"] = "unavailable"
            results["error"] = "harden could not lint a notebook (see messages above)"
        else:
            results["harden_mode"] = harden.describe()
            results["harden_notes"] = harden.notes
            for note in harden.notes:
                say("  " + note)
            say(f"  using {harden.describe()}")
            ver = run([harden.exe, "--version"], timeout=60) if harden.mode == "cli" else None
            results["harden_version"] = (
                ver.stdout.strip() if ver and ver.returncode == 0 else _harden_version()
            )

        say("start-up times ...")
        results["startup"] = startup(harden, startup_runs)
        nbqa, nbqa_note = (None, "--no-nbqa") if args.no_nbqa else nbqa_tools()
        if nbqa is None and not args.no_nbqa:
            say(f"  nbqa ruff skipped: {nbqa_note}")
        if harden is not None and harden.mode == "cli" and not args.no_one:
            say(f"one notebook ({one_nb.name}), {one_runs} interleaved rounds ...")
            results["one_notebook"] = measure_one(harden, one_nb, one_runs, tmp)
        if harden is not None:
            results["harden_lint"], results["nbqa_ruff"] = measure_corpus(
                harden,
                dest,
                n,
                args.jobs,
                args.repeat,
                args.timeout,
                tmp,
                nbqa,
                nbqa_note,
                "benchmark corpus",
            )
        if harden is not None and real_paths:
            real_h, real_nbqa = measure_corpus(
                harden,
                real_dir,
                len(real_paths),
                args.jobs,
                args.repeat,
                args.timeout,
                tmp,
                nbqa,
                nbqa_note,
                "real corpus",
            )
            results["real"] = {
                "path": str(real_dir),
                "notebooks": len(real_paths),
                "bytes": sum(p.stat().st_size for p in real_paths),
                "harden_lint": real_h,
                "nbqa_ruff": real_nbqa,
            }
        if args.no_pynblint:
            results["pynblint"] = {"available": False, "reason": "--no-pynblint"}
        else:
            results["pynblint"] = measure_pynblint(paths, pyn_sample, min(args.timeout, 600), tmp)
            if not results["pynblint"]["available"]:
                say(f"  pynblint skipped: {results['pynblint']['reason']}")

    results["machine"]["load_after"] = _load()
    results["ratios"] = compute_ratios(results)
    results["finished"] = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    out = args.output
    results["json_path"] = (
        str(out.relative_to(ROOT)) if out.is_absolute() and ROOT in out.parents else str(out)
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp_out.replace(out)
    print_table(results)
    if harden is None:
        say("error: harden could not be run; no harden figures")
        return 1
    return 0


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _harden_version() -> str | None:
    res = run(
        [sys.executable, "-c", "import harden; print(getattr(harden, '__version__', ''))"],
        timeout=60,
    )
    return res.stdout.strip() or None if res.returncode == 0 else None


if __name__ == "__main__":
    raise SystemExit(main())
