"""H102 absolute-path."""

from __future__ import annotations

import re
from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.secrets import quote

#: First directories that hold people's homes.
HOME_ROOTS = frozenset({"home", "Users", "root"})
#: First directories of mounts and machine-specific storage (Colab, Kaggle, Databricks, HPC).
MACHINE_ROOTS = frozenset(
    {
        "mnt",
        "media",
        "Volumes",
        "data",
        "datasets",
        "opt",
        "srv",
        "var",
        "content",
        "kaggle",
        "dbfs",
        "Workspace",
        "workspace",
        "gpfs",
        "scratch",
        "nfs",
        "lustre",
        "storage",
        "shared",
        "net",
        "projects",
        "work",
    }
)
#: System and temporary locations that exist on every POSIX machine: not flagged.
SYSTEM_PREFIXES = (
    "/dev/",
    "/proc/",
    "/sys/",
    "/tmp/",
    "/usr/",
    "/etc/",
    "/bin/",
    "/sbin/",
    "/lib/",
    "/lib64/",
    "/var/tmp/",
    "/private/tmp/",
)

_POSIX = re.compile(r"^/([\w.@+-]+)((?:/[^/\n]*)*)$")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,5}$")
_TILDE = re.compile(r"^~[\w.-]*[/\\][^\n]")
_WINDOWS = re.compile(r"^[A-Za-z]:[\\/][^\n]+$")
_UNC = re.compile(r"^\\\\[\w.$-]+\\[^\n]+$")
_REGEX_HINT = re.compile(r"[|^+{}<>\"]|\\[dwsDWSb][+*?{]|\(\?")


def path_kind(value: str) -> str | None:
    """``"user-specific"``, ``"absolute"`` or ``None`` for a string literal's value."""
    if "\n" in value or len(value) > 500:
        return None
    if value.startswith("file://"):
        value = value[len("file://") :]
        value = value[1:] if re.match(r"^/[A-Za-z]:", value) else value
    if _TILDE.match(value):
        return "user-specific"
    if _WINDOWS.match(value) or _UNC.match(value):
        if _REGEX_HINT.search(value):
            return None
        lowered = value.lower().replace("/", "\\")
        return "user-specific" if "\\users\\" in lowered else "absolute"
    match = _POSIX.match(value)
    if match is None or value.startswith(SYSTEM_PREFIXES):
        return None
    root, rest = match.group(1), match.group(2)
    segments = [part for part in rest.split("/") if part]
    if root in HOME_ROOTS and segments:
        return "user-specific"
    if segments and (root in MACHINE_ROOTS or _EXTENSION.search(segments[-1])):
        return "absolute"
    return None


class AbsolutePath(Rule):
    r"""An absolute or user-specific path in a string literal (`/home/…`, `C:\…`).
    ## What it does
    Flags string literals that are absolute or user-specific paths: `/home/…`,
    `/Users/…`, `~/…`, `C:\…`, `\\server\share`, mounts such as `/mnt/…`, `/data/…`,
    `/content/…`, and other absolute paths to a file. URLs, `/dev/null`, system
    directories and `/tmp` (a deliberate scratch location present on every POSIX
    machine) are not flagged, and neither are strings that merely start with `/` such as
    `"/"` or routes like `"/api/v1"`: a path needs a known first directory or a file
    name.

    ## Why is this bad?
    A path like `/Users/ana/data/train.csv` exists on one machine only: on a colleague's
    laptop, in CI or in a container the notebook fails, or worse, reads a different file
    that happens to live there.

    ## How to fix it
    Make the location a parameter, or build it from a base directory relative to the
    project (`Path(__file__).parent / 'data'`, an environment variable).
    """

    id = "H102"
    name = "absolute-path"
    severity = Severity.WARNING

    valid = (
        Example("df = read('data/train.csv')", "url = 'https://example.org/home/x.csv'"),
        Example("out = open('/dev/null', 'w')", "tmp = '/tmp/cache.pkl'", "route = '/api/v1'"),
        Example(
            "sep = '/'",
            "pattern = r'C:\\d+'",
            "p = Path.home() / 'data'",
            "s = '/usr/share/dict/words'",
        ),
        Example(
            "doc = '''Data lives in\n/home/ana'''",
            "ratio = '1/2'",
            "x = '/data'",
            "p = f'{BASE}/data/train.csv'",
        ),
    )
    invalid = (
        Example(
            "import pandas as pd\ndf = pd.read_csv('/home/ana/data/train.csv')", expect=[(0, 2)]
        ),
        Example(
            "BASE = '/Users/ana/projects/churn'",
            "p = r'C:\\Users\\ana\\data.csv'",
            expect=[(0, 1), (1, 1)],
        ),
        Example(
            "cfg = load('~/configs/run.yaml')",
            "df = read(f'/mnt/shared/{day}/x.parquet')",
            expect=[(0, 1), (1, 1)],
        ),
        Example(
            "paths = [\n    '/content/drive/MyDrive/train.csv',\n    'D:/data/test.csv',\n"
            "    r'\\\\fileserver\\team\\x.csv',\n]",
            expect=[(0, 2), (0, 3), (0, 4)],
        ),
        Example(
            "model = load('/opt/models/model.pkl')", "%cd /home/ana/work", expect=[(0, 1), (1, 1)]
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            found = [(s.value, s.location) for s in cell.strings if not s.mid_fstring]
            found += [
                (word, magic.location)
                for magic in cell.magics
                if magic.kind != "help"
                for word in _words(magic.args)
            ]
            for value, location in found:
                kind = path_kind(value)
                if kind is not None:
                    yield Violation.at(
                        location,
                        f"{kind} path `{quote(value)}` only exists on the "
                        "machine the notebook was written on",
                    )


def _words(args: str) -> list[str]:
    """The words of a magic's argument line (not shlex: it eats Windows backslashes)."""
    return [word.strip("'\"") for word in args.split()]
