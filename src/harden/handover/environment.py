"""The pinned environment of a handoff: which distributions, at which versions,
provide the modules a notebook imports, **as installed in the kernel's environment**.

The notebook ran in a kernel, and the kernel may be another Python than the one
running harden (a conda env, a project venv registered with ``ipykernel install``).
So the versions are asked of the kernel's interpreter, never of this process:

1. the kernelspec is looked up with jupyter_client's ``KernelSpecManager``
   (:func:`harden.run.kernels.installed_kernels`); :func:`kernel_for` picks the same
   kernel the run uses (the notebook's ``kernelspec.name``, else ``python3``);
2. its ``argv[0]`` is the interpreter.  ``python``/``python3``/``python3.X`` there
   means *the Python that launches the kernel*, exactly as jupyter_client's
   ``KernelManager.format_kernel_cmd`` treats it (``sys.executable``); another name
   is looked up on the kernel's ``PATH``;
3. that interpreter runs :data:`QUERY` in a subprocess, with the kernelspec's ``env``,
   in the notebook's folder: ``importlib.metadata.packages_distributions()`` maps each
   top-level module to the distributions that ship it (``sklearn`` → ``scikit-learn``,
   ``PIL`` → ``Pillow``, ``yaml`` → ``PyYAML``), and ``importlib.metadata.version``
   gives their versions; the answer is one JSON document on stdout.

Why a subprocess and not a kernel started through jupyter_client: the question is
about the kernel's *environment* (its interpreter, ``sys.path`` and installed
distributions), which the interpreter answers the same way the kernel would, in a
fraction of the time (no ZMQ channels, no ipykernel start-up, no notebook code), and
with a plain timeout.  Nothing of the notebook is imported or run: modules are found
with ``importlib.util.find_spec``, which does not execute them.

A namespace package (``google``) may be shipped by several distributions: a dotted
name (``google.cloud.storage``) narrows them to those whose files contain that
module; what stays ambiguous is pinned whole and listed in
:attr:`Environment.ambiguous`.

Pins are rendered twice, on purpose: ``requirements.txt`` pins ``==`` (reproduce the
run exactly); ``pyproject.toml`` declares compatible ranges ``>=X.Y`` (install the
package next to other software).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harden.errors import HardenError
from harden.version import __version__

if TYPE_CHECKING:
    from harden.analysis.model import Analysis
    from harden.notebook.model import Notebook

log = logging.getLogger(__name__)

DEFAULT_KERNEL = "python3"

#: Run by the kernel's interpreter: stdin is a JSON list of module names, stdout one
#: JSON object.  The notebook's folder (``sys.path[0]`` under ``-c``) is left out
#: while the standard modules are imported, so a ``json.py`` beside the notebook
#: cannot shadow them; it is put back for ``find_spec``, as the kernel would see it.
QUERY = """\
import sys
_first = sys.path.pop(0) if sys.path and sys.path[0] in ("", ".") else None
import json, platform
from importlib import metadata, util
if _first is not None:
    sys.path.insert(0, _first)

def files_of(name):
    try:
        return [str(f).replace("\\\\", "/") for f in (metadata.distribution(name).files or ())]
    except Exception:
        return []

def ships(files, dotted):
    stem = dotted.replace(".", "/")
    return any(f == stem + ".py" or f.startswith(stem + "/") or f.startswith(stem + ".")
               for f in files)

requested = json.load(sys.stdin)
mapping = metadata.packages_distributions()
answer = {"python": platform.python_version(), "executable": sys.executable, "modules": {}}
for name in requested:
    top = name.split(".")[0]
    dists = sorted(set(mapping.get(top, ())))
    narrowed = dists
    if len(dists) > 1 and "." in name:
        narrowed = [d for d in dists if ships(files_of(d), name)] or dists
    versions = {}
    for dist in narrowed:
        try:
            versions[dist] = metadata.version(dist)
        except Exception:
            pass
    try:
        importable = util.find_spec(top) is not None
    except Exception:
        importable = False
    stdlib = top in getattr(sys, "stdlib_module_names", ()) or top in sys.builtin_module_names
    answer["modules"][name] = {
        "distributions": versions, "candidates": dists, "importable": importable,
        "stdlib": stdlib and not dists,
    }
json.dump(answer, sys.stdout)
"""


class KernelEnvironmentError(HardenError):
    """The kernel's environment cannot be asked for its installed versions."""


class KernelNotFoundError(KernelEnvironmentError):
    """No kernelspec of that name is installed."""


class KernelExecutableError(KernelEnvironmentError):
    """The kernelspec's interpreter (``argv[0]``) does not exist or is not Python."""


class KernelTimeoutError(KernelEnvironmentError):
    """The kernel's interpreter did not answer in time."""


@dataclass(frozen=True)
class Pin:
    """Top-level ``module`` is provided by ``distribution`` at ``version`` (in the kernel)."""

    module: str
    distribution: str
    version: str

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}"


@dataclass(frozen=True)
class Unresolved:
    """A module the notebook imports that no installed distribution provides.

    ``reason`` is ``"not installed"`` (the kernel cannot import it), ``"optional"``
    (not installed, but every import of it is inside a ``try`` or an ``if``: the
    notebook may run without it) or ``"no distribution"`` (importable, e.g. from
    ``PYTHONPATH`` or a folder, but no installed distribution ships it, so there is
    nothing to pin).
    """

    module: str
    reason: str

    def describe(self) -> str:
        from harden.analysis.library import DISTRIBUTIONS

        if self.reason == "not installed":
            known = DISTRIBUTIONS.get(self.module)
            hint = f" (its distribution: {known})" if known and known != self.module else ""
            return f"{self.module}: not installed in the kernel's environment{hint}"
        if self.reason == "optional":
            return (
                f"{self.module}: imported only inside a try or an if, and not installed "
                "in the kernel's environment"
            )
        return f"{self.module}: importable, but no installed distribution provides it"


@dataclass(frozen=True)
class Environment:
    """What the kernel has installed for the notebook's imports.

    ``pins`` holds one entry per (module, distribution), in module order; a
    distribution providing several imported modules appears once per module (see
    :attr:`requirements` for the de-duplicated list).  ``ambiguous`` maps a module
    to the distributions that all ship it (a namespace package), all pinned.
    """

    python_version: str
    pins: tuple[Pin, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()
    kernel: str = DEFAULT_KERNEL
    executable: str = ""

    @property
    def requirements(self) -> tuple[tuple[str, str], ...]:
        """(distribution, version) pairs, one per distribution, sorted by name."""
        unique = {pin.distribution: pin.version for pin in self.pins}
        return tuple(sorted(unique.items(), key=lambda item: _normalise(item[0])))

    @property
    def modules(self) -> tuple[str, ...]:
        """The third-party top-level modules asked about, pinned or not."""
        return tuple(sorted({p.module for p in self.pins} | {u.module for u in self.unresolved}))

    @property
    def pinned_share(self) -> float:
        """Share of the imported third-party top-level modules that are pinned: the
        report's "pinned environment" part.  Optional modules that are not installed
        do not count; 1.0 when there is nothing to pin."""
        optional = {u.module for u in self.unresolved if u.reason == "optional"}
        modules = set(self.modules) - optional
        if not modules:
            return 1.0
        pinned = {p.module for p in self.pins}
        return len(pinned) / len(modules)

    @property
    def python_minor(self) -> str:
        """``3.11`` from ``3.11.7``."""
        return ".".join(self.python_version.split(".")[:2])


# -- which modules ------------------------------------------------------------------------------


def imported_modules(analysis: Analysis, dotted: bool = False) -> tuple[str, ...]:
    """The third-party modules ``analysis``'s notebook imports, sorted: top-level
    names (``sklearn``), or with ``dotted`` the modules as imported
    (``sklearn.model_selection``; they narrow namespace packages).

    Left out: the standard library (``sys.stdlib_module_names``), ``__future__``,
    relative imports and modules beside the notebook (``helpers.py``, ``utils/``).
    """
    from harden.extractor.imports import is_local

    folder = _folder(analysis.notebook)
    names: set[str] = set()
    for binding in analysis.imports:
        module = binding.module or binding.target
        if not module or module.startswith("."):
            continue
        top = module.split(".")[0]
        if top == "__future__" or top in sys.stdlib_module_names:
            continue
        if folder is not None and is_local(top, folder):
            continue
        names.add(module if dotted else top)
    return tuple(sorted(names))


def optional_modules(analysis: Analysis) -> tuple[str, ...]:
    """Top-level modules every import of which is conditional (inside ``try``/``if``):
    pass them as ``optional`` to :func:`kernel_distributions`."""
    tops: dict[str, bool] = {}
    for binding in analysis.imports:
        module = binding.module or binding.target
        if module and not module.startswith("."):
            top = module.split(".")[0]
            tops[top] = tops.get(top, True) and binding.conditional
    third_party = set(imported_modules(analysis))
    return tuple(
        sorted(top for top, conditional in tops.items() if conditional and top in third_party)
    )


def _folder(notebook: Notebook) -> Path | None:
    try:
        return notebook.path.parent if notebook.path.is_file() else None
    except OSError:
        return None


def kernel_for(notebook: Notebook, requested: str | None = None) -> str:
    """The kernel the notebook runs in, chosen as the runner chooses it
    (:func:`harden.run.kernels.choose_kernel`: ``requested``, else the notebook's
    ``kernelspec.name`` when installed, else ``python3``)."""
    from harden.run.kernels import choose_kernel

    choice = choose_kernel(notebook.kernel_name, notebook.language, requested)
    if choice.name is None:
        raise KernelNotFoundError(choice.error or "no kernel to run the notebook", notebook.path)
    return choice.name


# -- asking the kernel --------------------------------------------------------------------------


def kernel_distributions(
    modules: Iterable[str],
    kernel_name: str | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    optional: Iterable[str] = (),
) -> Environment:
    """The distributions and versions that provide ``modules`` in kernel
    ``kernel_name``'s environment (default ``python3``; see :func:`kernel_for`).

    ``modules`` are top-level names (``sklearn``) or dotted ones
    (``google.cloud.storage``); ``cwd`` is the notebook's folder (the kernel's
    working directory).  Modules of the kernel's standard library are skipped; an
    ``optional`` module (:func:`optional_modules`) that is not installed is listed as
    such and does not lower :attr:`Environment.pinned_share`.  Raises a :class:`KernelEnvironmentError` (one line, naming
    the kernel) when the kernel is not installed, its interpreter is missing or not
    Python, or it does not answer within ``timeout`` seconds.
    """
    from harden.run.kernels import installed_kernels

    name = kernel_name or DEFAULT_KERNEL
    requested = sorted(set(modules))
    specs = installed_kernels()
    if name not in specs:
        listing = ", ".join(sorted(specs)) or "none"
        raise KernelNotFoundError(
            f"kernel {name!r} is not installed (installed kernels: {listing}): cannot ask "
            "it which versions of the notebook's packages it has"
        )
    spec = specs[name]
    language = str(spec.get("language") or "python")
    if language.lower() not in {"python", "python3", "ipython", "ipython3"}:
        raise KernelExecutableError(
            f"kernel {name!r} runs {language}: harden pins Python packages only"
        )
    env = _kernel_env(spec)
    executable = _interpreter(name, spec, env)
    answer = _ask(name, executable, requested, env, cwd, timeout)
    return _environment(name, answer, requested, frozenset(optional))


def _kernel_env(spec: Mapping[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    extra = spec.get("env")
    if isinstance(extra, Mapping):
        env.update({str(k): str(v) for k, v in extra.items()})
    return env


def _interpreter(name: str, spec: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """The kernel's Python: ``argv[0]``, resolved as jupyter_client resolves it."""
    argv = [str(part) for part in spec.get("argv", ())]
    if not argv:
        raise KernelExecutableError(f"kernel {name!r} has an empty argv in its kernel.json")
    first = argv[0].replace("{prefix}", sys.prefix)
    major, minor = sys.version_info[:2]
    if first in {"python", f"python{major}", f"python{major}.{minor}"}:
        return sys.executable  # what jupyter_client's format_kernel_cmd launches
    found = shutil.which(first, path=env.get("PATH")) if os.sep not in first else first
    if found is None or not Path(found).is_file() or not os.access(found, os.X_OK):
        raise KernelExecutableError(
            f"kernel {name!r}: its interpreter {first!r} (argv[0] of its kernel.json) "
            "does not exist or is not executable"
        )
    return found


def _ask(
    name: str,
    executable: str,
    modules: Sequence[str],
    env: Mapping[str, str],
    cwd: Path | None,
    timeout: float,
) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [executable, "-c", QUERY],
            input=json.dumps(list(modules)),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=str(cwd) if cwd is not None else None,
            env=dict(env),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise KernelTimeoutError(
            f"kernel {name!r}: {executable} did not say which packages it has within {timeout:g} s"
        ) from None
    except OSError as exc:
        raise KernelExecutableError(
            f"kernel {name!r}: cannot run its interpreter {executable}: {exc.strerror or exc}"
        ) from None
    try:
        answer = json.loads(done.stdout) if done.returncode == 0 else None
    except json.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("modules"), dict):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise KernelExecutableError(
            f"kernel {name!r}: {executable} could not list its packages "
            f"(exit {done.returncode}: {last[:200]}); is it Python 3.10 or later?"
        )
    return answer


def _environment(
    name: str, answer: Mapping[str, Any], requested: Sequence[str], optional: frozenset[str]
) -> Environment:
    found: dict[str, dict[str, str]] = {}  # top-level module → distribution → version
    importable: dict[str, bool] = {}
    ambiguous: dict[str, tuple[str, ...]] = {}
    for module in requested:
        entry = answer["modules"].get(module) or {}
        top = module.split(".")[0]
        if entry.get("stdlib"):
            continue  # the kernel's standard library: nothing to pin
        versions = entry.get("distributions") or {}
        found.setdefault(top, {}).update({str(d): str(v) for d, v in versions.items()})
        importable[top] = importable.get(top, False) or bool(entry.get("importable"))
    for top, versions in found.items():
        if len(versions) > 1:
            ambiguous[top] = tuple(sorted(versions, key=_normalise))
    pins = tuple(
        Pin(top, dist, version)
        for top in sorted(found)
        for dist, version in sorted(found[top].items(), key=lambda item: _normalise(item[0]))
    )
    unresolved = tuple(
        Unresolved(
            top,
            "no distribution"
            if importable[top]
            else "optional"
            if top in optional
            else "not installed",
        )
        for top in sorted(found)
        if not found[top]
    )
    return Environment(
        kernel=name,
        python_version=str(answer.get("python", "")),
        pins=pins,
        unresolved=unresolved,
        ambiguous=tuple(sorted(ambiguous.items())),
        executable=str(answer.get("executable", "")),
    )


def _normalise(name: str) -> str:
    """PEP 503 normalised distribution name (``Scikit_Learn`` → ``scikit-learn``)."""
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


# -- rendering ----------------------------------------------------------------------------------


def render_requirements(env: Environment) -> str:
    """``requirements.txt``: ``distribution==version``, one per distribution, sorted,
    under a header saying where the pins come from."""
    lines = [
        f"# Pinned by harden {__version__} from the kernel {env.kernel!r} "
        f"(Python {env.python_version}): the distributions",
        "# providing the modules the notebook imports, at the versions installed in the "
        "kernel's environment.",
        "# Direct dependencies only; reproduce the run with: pip install -r requirements.txt",
    ]
    for module, dists in env.ambiguous:
        lines.append(
            f"# {module} is provided by several distributions, all pinned: " + ", ".join(dists)
        )
    for item in env.unresolved:
        lines.append(f"# not pinned: {item.describe()}")
    lines.extend(f"{dist}=={version}" for dist, version in env.requirements)
    return "\n".join(lines) + "\n"


def compatible(version: str) -> str:
    """The ``>=X.Y`` lower bound for an installed ``version`` (``2.4.6`` → ``>=2.4``);
    ``==version`` when it is not a PEP 440 version."""
    from packaging.version import InvalidVersion, Version

    try:
        release = Version(version).release
    except InvalidVersion:
        return f"=={version}"
    return ">=" + ".".join(str(part) for part in release[:2])


def render_pyproject(
    package_name: str,
    module_name: str,
    env: Environment,
    description: str,
    test_requirements: Sequence[str] = ("pytest>=8",),
    version: str = "0.1.0",
) -> str:
    """``pyproject.toml`` for the handoff folder's package (``src/<package>/<module>.py``,
    setuptools): ``requires-python`` from the kernel's Python, the pins as compatible
    ranges, ``[project.optional-dependencies] test``.  Written with ``tomli_w``."""
    import tomli_w

    project: dict[str, Any] = {
        "name": _normalise(package_name),
        "version": version,
        "description": " ".join(description.split()),
        "requires-python": f">={env.python_minor}" if env.python_minor else ">=3.11",
        "dependencies": [f"{dist}{compatible(v)}" for dist, v in env.requirements],
        "optional-dependencies": {"test": list(test_requirements)},
    }
    document = {
        "build-system": {
            "requires": ["setuptools>=64"],
            "build-backend": "setuptools.build_meta",
        },
        "project": project,
        "tool": {
            "setuptools": {"packages": {"find": {"where": ["src"]}}},
            "pytest": {"ini_options": {"testpaths": ["tests"]}},
        },
    }
    header = [
        f"# Generated by harden {__version__}: the package of src/{package_name}/{module_name}.py.",
        "# Dependencies: the notebook's imports, at least the versions its kernel "
        f"{env.kernel!r} had (requirements.txt pins them exactly).",
    ]
    header.extend(f"# not declared: {item.describe()}" for item in env.unresolved)
    return "\n".join(header) + "\n\n" + tomli_w.dumps(document, multiline_strings=False)
