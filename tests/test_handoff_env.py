"""The pinned environment of a handoff: versions asked of the kernel's interpreter
(a real kernelspec, a real subprocess), rendered as requirements.txt and pyproject.toml."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

from harden.analysis import analyze
from harden.handover.environment import (
    Environment,
    KernelEnvironmentError,
    KernelExecutableError,
    KernelNotFoundError,
    KernelTimeoutError,
    Pin,
    Unresolved,
    compatible,
    imported_modules,
    kernel_distributions,
    kernel_for,
    optional_modules,
    render_pyproject,
    render_requirements,
)
from harden.notebook import build_notebook, load
from harden.run.kernels import installed_kernels

EXAMPLES = Path(__file__).resolve().parents[1] / "notebooks" / "examples"


def _kernel(root: Path, name: str, argv: list[str], language: str = "python") -> None:
    folder = root / "kernels" / name
    folder.mkdir(parents=True)
    spec = {"argv": [*argv, "-f", "{connection_file}"], "display_name": name, "language": language}
    (folder / "kernel.json").write_text(json.dumps(spec))


def _dist(site: Path, name: str, version: str, files: dict[str, str], top: str) -> None:
    """A distribution installed by hand: its files and a ``.dist-info`` importlib reads."""
    for relative, text in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text)
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "top_level.txt").write_text(top + "\n")
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in files))


@pytest.fixture(scope="module")
def other_kernel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JUPYTER_PATH with kernel ``other``: a fresh venv (no pip) holding a fake
    ``pandas`` 0.0.1 and a namespace package ``nsp`` shipped by two distributions."""
    root = tmp_path_factory.mktemp("other-kernel")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    _dist(site, "pandas", "0.0.1", {"pandas/__init__.py": ""}, "pandas")
    _dist(site, "nsp-a", "1.0", {"nsp/a/__init__.py": ""}, "nsp")
    _dist(site, "nsp-b", "2.0", {"nsp/b/__init__.py": ""}, "nsp")
    jupyter = root / "jupyter"
    _kernel(jupyter, "other", [str(python), "-m", "ipykernel_launcher"])
    _kernel(jupyter, "gone", [str(root / "no-such-python"), "-m", "ipykernel_launcher"])
    sleeper = root / "sleeper"
    sleeper.write_text("#!/bin/sh\nexec sleep 30\n")
    sleeper.chmod(0o755)
    _kernel(jupyter, "slow", [str(sleeper)])
    _kernel(jupyter, "ir", ["R", "--slave"], language="R")
    return jupyter


@pytest.fixture
def jupyter_path(other_kernel: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JUPYTER_PATH", str(other_kernel))
    return other_kernel


def test_pins_are_the_versions_installed_in_the_python3_kernel() -> None:
    env = kernel_distributions(
        ["pandas", "numpy", "sklearn.linear_model", "sklearn.metrics", "os.path", "json"]
    )
    assert env.kernel == "python3"
    assert env.python_version == ".".join(map(str, sys.version_info[:3]))
    assert {(p.module, p.distribution, p.version) for p in env.pins} == {
        ("pandas", "pandas", metadata.version("pandas")),
        ("numpy", "numpy", metadata.version("numpy")),
        ("sklearn", "scikit-learn", metadata.version("scikit-learn")),
    }
    assert env.unresolved == () and env.pinned_share == 1.0  # the standard library is skipped


def test_versions_come_from_the_kernels_environment_not_hardens(jupyter_path: Path) -> None:
    env = kernel_distributions(
        ["pandas", "numpy", "torch"], "other", timeout=30, optional=["torch"]
    )
    assert metadata.version("pandas") != "0.0.1"  # harden's own pandas is real
    assert env.pins == (Pin("pandas", "pandas", "0.0.1"),)
    assert env.unresolved == (Unresolved("numpy", "not installed"), Unresolved("torch", "optional"))
    assert env.pinned_share == 0.5  # the optional module does not count
    assert "torch: imported only inside a try or an if" in render_requirements(env)
    assert Path(env.executable).parent.parent.name == "venv"


def test_a_namespace_package_is_narrowed_by_the_dotted_name(jupyter_path: Path) -> None:
    whole = kernel_distributions(["nsp"], "other")
    assert [p.distribution for p in whole.pins] == ["nsp-a", "nsp-b"]
    assert whole.ambiguous == (("nsp", ("nsp-a", "nsp-b")),)
    assert "several distributions, all pinned: nsp-a, nsp-b" in render_requirements(whole)
    narrowed = kernel_distributions(["nsp.b"], "other")
    assert narrowed.pins == (Pin("nsp", "nsp-b", "2.0"),) and narrowed.ambiguous == ()


@pytest.mark.parametrize(
    ("kernel", "error", "words"),
    [
        ("nope", KernelNotFoundError, "kernel 'nope' is not installed (installed kernels:"),
        ("gone", KernelExecutableError, "kernel 'gone': its interpreter"),
        ("slow", KernelTimeoutError, "kernel 'slow':"),
        ("ir", KernelExecutableError, "kernel 'ir' runs R: harden pins Python packages only"),
    ],
)
def test_failures_are_one_line_errors_naming_the_kernel(
    jupyter_path: Path, kernel: str, error: type[KernelEnvironmentError], words: str
) -> None:
    with pytest.raises(error) as caught:
        kernel_distributions(["pandas"], kernel, timeout=0.5)
    line = caught.value.one_line()
    assert words in line and "\n" not in line


def test_the_kernel_is_chosen_as_the_runner_chooses_it(tmp_path: Path) -> None:
    notebook = load(EXAMPLES / "churn_clean.ipynb")
    assert kernel_for(notebook) == "python3"
    r_notebook = load(EXAMPLES / "sales_summary_r.ipynb")
    if "ir" in installed_kernels():
        pytest.skip("an R kernel is installed here")
    with pytest.raises(KernelNotFoundError, match="ir"):
        kernel_for(r_notebook)


def test_imported_modules_leave_out_stdlib_and_local_modules(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("X = 1\n")
    (tmp_path / "localpkg").mkdir()
    (tmp_path / "localpkg" / "__init__.py").write_text("")
    source = (
        "from __future__ import annotations\nimport os, json\nimport numpy as np\n"
        "from sklearn.model_selection import train_test_split\nimport helpers\n"
        "from localpkg import thing\nfrom . import sibling\nimport yaml\n"
        "try:\n    import torch\nexcept ImportError:\n    torch = None\n"
        "if False:\n    import numpy\n"
    )
    path = tmp_path / "nb.ipynb"
    nbformat.write(build_notebook([source]), path)
    analysis = analyze(load(path))
    assert imported_modules(analysis) == ("numpy", "sklearn", "torch", "yaml")
    assert imported_modules(analysis, dotted=True) == (
        "numpy",
        "sklearn.model_selection",
        "torch",
        "yaml",
    )
    assert optional_modules(analysis) == ("torch",)  # numpy is also imported unconditionally


def test_example_notebook_environment_and_its_files() -> None:
    notebook = load(EXAMPLES / "churn_clean.ipynb")
    modules = imported_modules(analyze(notebook), dotted=True)
    env = kernel_distributions(modules, kernel_for(notebook), cwd=notebook.path.parent)
    requirements = render_requirements(env)
    lines = [line for line in requirements.splitlines() if not line.startswith("#")]
    assert lines == [
        f"matplotlib=={metadata.version('matplotlib')}",
        f"pandas=={metadata.version('pandas')}",
        f"scikit-learn=={metadata.version('scikit-learn')}",  # once for 7 sklearn imports
    ]
    assert requirements.startswith("# Pinned by harden") and "kernel 'python3'" in requirements
    document = tomllib.loads(render_pyproject("churn_clean", "churn_clean", env, "Churn.\n"))
    project = document["project"]
    assert project["name"] == "churn-clean"
    assert project["requires-python"] == ">={}.{}".format(*sys.version_info[:2])
    assert project["dependencies"] == [
        f"{dist}{compatible(metadata.version(dist))}"
        for dist in ("matplotlib", "pandas", "scikit-learn")
    ]
    assert project["optional-dependencies"]["test"] == ["pytest>=8"]
    assert document["build-system"]["build-backend"] == "setuptools.build_meta"
    assert document["tool"]["setuptools"]["packages"]["find"]["where"] == ["src"]


def test_rendering_dedupes_sorts_and_names_what_is_not_pinned() -> None:
    env = Environment(
        python_version="3.12.1",
        pins=(
            Pin("yaml", "PyYAML", "6.0.1"),
            Pin("PIL", "Pillow", "10.2.0"),
            Pin("sklearn", "scikit-learn", "1.4.0"),
            Pin("sklearn", "scikit-learn", "1.4.0"),
        ),
        unresolved=(
            Unresolved("mylib", "no distribution"),
            Unresolved("skimage", "not installed"),
            Unresolved("torch", "not installed"),
        ),
        kernel="k",
    )
    text = render_requirements(env)
    assert [line for line in text.splitlines() if not line.startswith("#")] == [
        "Pillow==10.2.0",
        "PyYAML==6.0.1",
        "scikit-learn==1.4.0",
    ]
    assert "# not pinned: torch: not installed in the kernel's environment\n" in text
    assert (
        "# not pinned: skimage: not installed in the kernel's environment (its distribution: scikit-image)"
        in text
    )
    assert "# not pinned: mylib: importable, but no installed distribution provides it" in text
    assert env.pinned_share == 3 / 6
    pyproject = render_pyproject("pkg", "mod", env, "d", test_requirements=["pytest", "hypothesis"])
    document = tomllib.loads(pyproject)
    assert document["project"]["dependencies"] == [
        "Pillow>=10.2",
        "PyYAML>=6.0",
        "scikit-learn>=1.4",
    ]
    assert document["project"]["requires-python"] == ">=3.12"
    assert document["project"]["optional-dependencies"]["test"] == ["pytest", "hypothesis"]
    assert "# not declared: torch" in pyproject
    assert compatible("2024.1") == ">=2024.1" and compatible("weird!") == "==weird!"
    assert Environment("3.11.0").pinned_share == 1.0
