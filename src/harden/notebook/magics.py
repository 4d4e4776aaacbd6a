"""Everything harden knows about IPython magics and shell escapes, in one place.

IPython's transformer (:mod:`harden.notebook.ipython`) turns ``%m``, ``%%m``,
``!cmd`` and ``x = !cmd`` into ``get_ipython().run_line_magic(...)``,
``run_cell_magic(...)``, ``system(...)`` and ``getoutput(...)`` calls.  This
module decodes those calls (:func:`decode`), says what a magic *is*
(:func:`role`), and reads shell command lines: which install packages
(:func:`install_specs` for Python packages, :func:`is_install` for any
package manager) and which download data (:func:`is_download`).

The analysis records magics with it, the lint rules (H103–H106) report them
with it and the extractor drops, keeps or refuses them with it, so lint and
extract can never disagree about a magic: ``tests/test_magics.py`` checks both
against :data:`LINE_MAGICS` and :data:`CELL_MAGICS`, row by row.
"""

from __future__ import annotations

import enum
import re
import shlex
from typing import Literal

import libcst as cst

#: How a magic reached the code: ``%line``, ``%%cell``, ``!shell``, ``x = !shell``, ``x?``.
MagicKind = Literal["line", "cell", "shell", "shell-assign", "help"]

#: ``get_ipython().<method>`` → the kind of magic it stands for.
METHODS: dict[str, MagicKind] = {
    "run_line_magic": "line",
    "run_cell_magic": "cell",
    "system": "shell",
    "getoutput": "shell-assign",
}


class Role(enum.Enum):
    """What a magic does, which decides what lint says and what extract does.

    ========== ================================= ===================================
    role       lint                              extract
    ========== ================================= ===================================
    DISPLAY    H105 info: drop it                dropped, logged
    TIMED      H105 info (statement runs)        the statement is kept, the timing dropped
    PYTHON     H105 info (body runs)             the body is the cell's code
    SESSION    H105 warning: IPython-only        dropped, logged (it computes nothing)
    PACKAGES   H104 install                      installs → requirements-notebook.txt
    DIRECTORY  H106 working-directory change     refused (no Python equivalent)
    SHELL      H105 / H104 / H103 by command     installs → requirements, else refused
    OTHER      H105 warning: IPython-only        refused (no Python equivalent)
    ========== ================================= ===================================
    """

    DISPLAY = "display"
    TIMED = "timed"
    PYTHON = "python"
    SESSION = "session"
    PACKAGES = "packages"
    DIRECTORY = "directory"
    SHELL = "shell"
    OTHER = "other"


#: Line magics by role; any other line magic is :attr:`Role.OTHER`.
LINE_MAGICS: dict[str, Role] = {
    **dict.fromkeys(
        (
            "matplotlib",
            "config",
            "autoreload",
            "aimport",
            "precision",
            "pprint",
            "xmode",
            "colors",
            "pdb",
            "watermark",
            "tensorboard",
            "lprun",
            "mprun",
        ),
        Role.DISPLAY,
    ),
    **dict.fromkeys(("time", "timeit", "prun", "memit"), Role.TIMED),
    **dict.fromkeys(
        (
            "who",
            "whos",
            "who_ls",
            "lsmagic",
            "magic",
            "quickref",
            "pinfo",
            "pinfo2",
            "psearch",
            "page",
            "pwd",
            "history",
            "notebook",
            "automagic",
            "autocall",
            "autosave",
            "tb",
            "doctest_mode",
            "alias_magic",
            "killbgscripts",
            "unload_ext",
        ),
        Role.SESSION,
    ),
    **dict.fromkeys(("pip", "conda", "mamba", "micromamba", "uv"), Role.PACKAGES),
    **dict.fromkeys(("cd", "pushd", "popd"), Role.DIRECTORY),
    **dict.fromkeys(("system", "sx"), Role.SHELL),
}
#: ``%load_ext`` / ``%reload_ext`` of these only serve the interactive session (DISPLAY);
#: of any other extension, they load magics the code may use later (SESSION).
EXTENSION_MAGICS = frozenset({"load_ext", "reload_ext"})
DISPLAY_EXTENSIONS = frozenset(
    {"autoreload", "watermark", "line_profiler", "memory_profiler", "tensorboard"}
)
#: Cell magics by role; any other cell magic is :attr:`Role.OTHER`.
CELL_MAGICS: dict[str, Role] = {
    **dict.fromkeys(("html", "HTML", "markdown", "latex", "svg", "javascript", "js"), Role.DISPLAY),
    **dict.fromkeys(("time", "timeit", "capture", "prun", "memit"), Role.PYTHON),
    **dict.fromkeys(("bash", "sh", "zsh", "system"), Role.SHELL),
}
#: Cell magics whose body is ordinary Python run in the user namespace.
PYTHON_BODY_CELL_MAGICS = frozenset(n for n, r in CELL_MAGICS.items() if r is Role.PYTHON)
#: Line magics whose argument is Python run in the user namespace.
PYTHON_LINE_MAGICS = frozenset(n for n, r in LINE_MAGICS.items() if r is Role.TIMED)
#: Magics whose Python runs in the user namespace as a cell's code would: it reads and binds
#: (``%time z = f(x)`` binds ``z``, ``%%capture`` and ``%%prun`` bodies bind what they assign).
BINDING_BODY_MAGICS = frozenset({"time", "prun", "memit", "capture"})
#: Magics whose Python runs in a function of its own, over and over, only to be timed
#: (``%timeit``, ``%%timeit``): it reads names, but binds nothing in the namespace and
#: its results are thrown away.
READ_ONLY_BODY_MAGICS = frozenset({"timeit"})
#: Line magics that manage packages whatever their subcommand (H104).
PACKAGE_MAGICS = frozenset(n for n, r in LINE_MAGICS.items() if r is Role.PACKAGES)
#: Line magics that change the working directory (H106).
DIRECTORY_MAGICS = frozenset(n for n, r in LINE_MAGICS.items() if r is Role.DIRECTORY)
#: Line magics whose argument is a shell command.
SHELL_LINE_MAGICS = frozenset(n for n, r in LINE_MAGICS.items() if r is Role.SHELL)
#: Help lookups (``x?``, ``x??``, ``%psearch``) become these line magics.
HELP_MAGICS = frozenset({"pinfo", "pinfo2", "psearch"})
_SHELLS = frozenset({"bash", "sh", "zsh"})


def role(kind: MagicKind, name: str, args: str = "") -> Role:
    """What the magic ``name`` (with its arguments) does; see :class:`Role`."""
    if kind in ("shell", "shell-assign"):
        return Role.SHELL
    if kind == "help":
        return Role.SESSION
    if kind == "cell":
        if name == "script":
            return Role.SHELL if args.split()[:1] and args.split()[0] in _SHELLS else Role.OTHER
        return CELL_MAGICS.get(name, Role.OTHER)
    if name in EXTENSION_MAGICS:
        words = args.split()
        return Role.DISPLAY if words and words[0] in DISPLAY_EXTENSIONS else Role.SESSION
    return LINE_MAGICS.get(name, Role.OTHER)


def is_display_only(kind: MagicKind, name: str, args: str = "") -> bool:
    """True when dropping the magic changes nothing but presentation or timing output
    (a shell escape that only shows something, ``!head data.csv``, included)."""
    if kind == "shell" or (kind == "line" and name in SHELL_LINE_MAGICS):
        return inspects(args)
    return role(kind, name, args) in (Role.DISPLAY, Role.TIMED, Role.PYTHON)


def body_binds(name: str) -> bool:
    """True when the Python of the magic ``name`` binds names in the notebook's namespace
    (``%time``, ``%%capture``…); False for ``%timeit``, whose body is only read."""
    return name not in READ_ONLY_BODY_MAGICS


def bound_names(kind: MagicKind, name: str, args: str) -> tuple[str, ...]:
    """Names the magic itself binds in the notebook's namespace: ``%%capture out`` binds
    ``out`` (a ``CapturedIO``), ``%store -r a b`` restores ``a`` and ``b``."""
    words = [w for w in args.split() if not w.startswith("-")]
    if kind == "cell" and name == "capture":
        return tuple(words[:1])
    if kind == "line" and name == "store" and "-r" in args.split():
        return tuple(w for w in words if w.isidentifier())
    return ()


def run_target(args: str) -> str | None:
    """The file ``%run [options] file.py [args]`` runs, or ``None`` (``%run -m module``)."""
    try:
        words = shlex.split(args)
    except ValueError:
        words = args.split()
    if "-m" in words:
        return None
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in {"-N", "-G"}:
            skip = True  # options that take a value
        elif not word.startswith("-"):
            return word
    return None


def is_shell_cell(name: str, args: str) -> bool:
    """``%%bash``, ``%%sh``, ``%%system``, ``%%script bash``…: a cell that is a shell script."""
    return role("cell", name, args) is Role.SHELL


# -- decoding get_ipython() calls ------------------------------------------------------------
def decode(node: cst.CSTNode) -> tuple[str, list[str]] | None:
    """``(method, string arguments)`` of a ``get_ipython().<method>(...)`` call, else ``None``.

    Arguments that are not plain string literals decode as ``""``.
    """
    if not isinstance(node, cst.Call):
        return None
    func = node.func
    if not (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Call)
        and isinstance(func.value.func, cst.Name)
        and func.value.func.value == "get_ipython"
    ):
        return None
    texts: list[str] = []
    for arg in node.args:
        value = arg.value.evaluated_value if isinstance(arg.value, cst.SimpleString) else None
        texts.append(value if isinstance(value, str) else "")
    return func.attr.value, texts


def decode_magic(node: cst.CSTNode) -> tuple[MagicKind, list[str]] | None:
    """Like :func:`decode`, for the four magic methods only, as ``(kind, arguments)``."""
    decoded = decode(node)
    if decoded is None or decoded[0] not in METHODS or not decoded[1]:
        return None
    return METHODS[decoded[0]], decoded[1]


def strip_options(args: str) -> str:
    """``-n 10 -r 3 expr`` → ``expr`` for ``%timeit`` / ``%time`` / ``%prun``."""
    words = args.split(" ")
    while words and words[0].startswith("-"):
        option = words.pop(0)
        if option in {"-n", "-r", "-p", "-l", "-s", "-T", "-D"} and words:
            words.pop(0)
    return " ".join(words).strip()


def python_code(kind: MagicKind, texts: list[str]) -> str | None:
    """The Python a timed line magic or a Python-bodied cell magic runs, else ``None``."""
    if kind == "line" and texts[0] in PYTHON_LINE_MAGICS and len(texts) > 1:
        return strip_options(texts[1])
    if kind == "cell" and texts[0] in PYTHON_BODY_CELL_MAGICS and len(texts) > 2:
        return texts[2]
    return None


# -- shell command lines ---------------------------------------------------------------------
#: Package managers and the subcommands that change what is installed.
INSTALLERS: dict[str, frozenset[str]] = {
    "pip": frozenset({"install", "uninstall"}),
    "micromamba": frozenset({"install", "uninstall", "remove", "update", "create"}),
    "conda": frozenset({"install", "uninstall", "remove", "update", "upgrade", "create", "env"}),
    "mamba": frozenset({"install", "uninstall", "remove", "update", "create"}),
    "apt-get": frozenset({"install", "remove", "purge", "update", "upgrade"}),
    "apt": frozenset({"install", "remove", "purge", "update", "upgrade"}),
    "yum": frozenset({"install", "remove", "update"}),
    "brew": frozenset({"install", "uninstall", "upgrade"}),
    "npm": frozenset({"install", "i"}),
    "uv": frozenset({"add", "remove", "sync"}),
}
#: Python package managers whose installs become ``requirements-notebook.txt`` lines,
#: and the subcommand that adds packages.
PYTHON_INSTALLERS: dict[str, str] = {
    "pip": "install",
    "conda": "install",
    "mamba": "install",
    "micromamba": "install",
    "uv": "add",
}
DOWNLOADERS: dict[str, frozenset[str] | None] = {
    "wget": None,
    "curl": None,
    "gdown": None,
    "aria2c": None,
    "gsutil": frozenset({"cp", "rsync", "cat"}),
    "kaggle": frozenset({"download"}),
    "huggingface-cli": frozenset({"download"}),
}
#: Shell commands that only show something (a file's first lines, a listing, the GPU, a
#: version): the tool, and ``None`` when any use of it only reads, else the first words
#: after it that only read (``pip list``, ``python --version``). Run without redirection
#: or substitution, dropping them changes nothing the code computes.
INSPECTORS: dict[str, frozenset[str] | None] = {
    **dict.fromkeys(
        (
            "head",
            "tail",
            "cat",
            "less",
            "more",
            "ls",
            "ll",
            "wc",
            "du",
            "df",
            "pwd",
            "whoami",
            "hostname",
            "nvidia-smi",
            "free",
            "uname",
            "date",
            "which",
            "file",
            "tree",
            "nproc",
            "lscpu",
            "echo",
            "grep",
            "md5sum",
            "sha256sum",
            "stat",
            "printenv",
        )
    ),
    "pip": frozenset({"list", "show", "freeze", "--version", "-V"}),
    "conda": frozenset({"list", "info", "--version", "-V"}),
    "python": frozenset({"--version", "-V"}),
    "python3": frozenset({"--version", "-V"}),
    "nvcc": frozenset({"--version", "-V"}),
    "java": frozenset({"-version", "--version"}),
}
#: Options of the installers that take a value (never a package spec).
_WITH_VALUE = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-c",
        "--constraint",
        "-t",
        "--target",
        "-f",
        "--find-links",
        "--prefix",
        "-n",
        "--name",
        "--channel",
        "-p",
        "--python",
        "--group",
        "--optional",
        "--index",
    }
)


def split_words(text: str) -> list[str]:
    """Shell words of ``text`` (shlex, falling back to whitespace on bad quoting)."""
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return text.split()


def simple_commands(text: str) -> list[list[str]]:
    """``sudo apt-get install -y x && pip install y`` → ``[["apt-get", ...], ["pip", ...]]``."""
    commands = []
    for part in re.split(r"&&|\|\||[;|&]", text):
        words = split_words(part)
        while words and (words[0] in {"sudo", "env", "time", "nohup"} or "=" in words[0]):
            words.pop(0)
        if words:
            commands.append(words)
    return commands


def _tool_words(words: list[str]) -> list[str]:
    """Unwrap ``python -m pip``, ``{sys.executable} -m pip``, ``uv pip`` and ``%pip``."""
    if words[1:3] == ["-m", "pip"]:
        words = words[2:]
    elif words[:2] == ["uv", "pip"]:
        words = words[1:]
    tool = words[0].rsplit("/", 1)[-1].lstrip("%!")
    if re.fullmatch(r"pip[0-9.]*", tool):
        tool = "pip"
    return [tool, *words[1:]]


def is_install(words: list[str]) -> bool:
    """``pip install``, ``python -m pip install``, ``conda install``, ``apt-get install``…"""
    tool, *rest = _tool_words(words)
    actions = INSTALLERS.get(tool)
    verbs = [w for w in rest if not w.startswith("-")]
    return actions is not None and bool(verbs) and verbs[0] in actions


def is_download(words: list[str]) -> bool:
    """True for ``wget``, ``curl``, ``gsutil cp``, ``aws s3 cp``, ``kaggle … download``…"""
    tool = words[0].rsplit("/", 1)[-1]
    if tool == "aws":
        return words[1:2] == ["s3"] and bool(set(words[2:3]) & {"cp", "sync"})
    if tool not in DOWNLOADERS:
        return False
    verbs = DOWNLOADERS[tool]
    return verbs is None or bool(verbs & set(words[1:]))


def is_inspection(words: list[str]) -> bool:
    """``head -n 3 data.csv``, ``ls data/``, ``pip list``, ``nvidia-smi``: shows, changes nothing."""
    if any(">" in word or "$(" in word or "`" in word for word in words):
        return False
    tool, *rest = _tool_words(words)
    if tool not in INSPECTORS:
        return False
    verbs = INSPECTORS[tool]
    return verbs is None or (bool(rest) and rest[0] in verbs)


def inspects(command: str) -> bool:
    """True when every command of the line only shows something (see :data:`INSPECTORS`)."""
    commands = simple_commands(command)
    return bool(commands) and all(is_inspection(words) for words in commands)


def installs(command: str) -> bool:
    return any(is_install(words) for words in simple_commands(command))


def downloads(command: str) -> bool:
    return any(is_download(words) for words in simple_commands(command))


def install_specs(command: str) -> list[str] | None:
    """Python package specs a command line installs (pip, conda, mamba, micromamba,
    ``uv add``, ``uv pip install``, ``python -m pip install``), else ``None``.

    ``-r FILE`` is kept as ``-r FILE``; options and their values are left out.
    """
    for words in simple_commands(command):
        tool, *rest = _tool_words(words)
        verb = PYTHON_INSTALLERS.get(tool)
        if verb is not None and rest[:1] == [verb]:
            return _specs(rest[1:])
    return None


def _specs(words: list[str]) -> list[str]:
    specs: list[str] = []
    skip = False
    for position, word in enumerate(words):
        if skip:
            skip = False
            continue
        if word in {"-r", "--requirement"} and position + 1 < len(words):
            specs.append(f"-r {words[position + 1]}")
            skip = True
        elif word in _WITH_VALUE:
            skip = True
        elif not word.startswith("-") and "{" not in word and "$" not in word:
            specs.append(word)
    return specs


__all__ = [
    "BINDING_BODY_MAGICS",
    "CELL_MAGICS",
    "DIRECTORY_MAGICS",
    "DISPLAY_EXTENSIONS",
    "DOWNLOADERS",
    "EXTENSION_MAGICS",
    "HELP_MAGICS",
    "INSPECTORS",
    "INSTALLERS",
    "LINE_MAGICS",
    "METHODS",
    "PACKAGE_MAGICS",
    "PYTHON_BODY_CELL_MAGICS",
    "PYTHON_INSTALLERS",
    "PYTHON_LINE_MAGICS",
    "READ_ONLY_BODY_MAGICS",
    "SHELL_LINE_MAGICS",
    "MagicKind",
    "Role",
    "body_binds",
    "bound_names",
    "decode",
    "decode_magic",
    "downloads",
    "inspects",
    "install_specs",
    "installs",
    "is_display_only",
    "is_download",
    "is_inspection",
    "is_install",
    "is_shell_cell",
    "python_code",
    "role",
    "simple_commands",
    "split_words",
    "strip_options",
]
