"""H103 remote-data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import libcst as cst

from harden.analysis.model import Analysis, Argument, CallSite
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.linter.rules._magics import clip, command_shown, downloads, shell_commands

REMOTE_URL = re.compile(r"^(?:https?|ftps?|s3a?|gs|gcs|az|abfss?)://", re.IGNORECASE)
#: Readers that fetch their argument when it is a URL (qualified names or prefixes).
READERS = (
    "pandas.read_",
    "polars.read_",
    "polars.scan_",
    "dask.dataframe.read_",
    "numpy.loadtxt",
    "numpy.genfromtxt",
    "xarray.open_dataset",
    "xarray.open_mfdataset",
    "geopandas.read_file",
    "fsspec.open",
    "smart_open.open",
)
#: Calls that always fetch over the network.
FETCHERS = (
    "urllib.request.urlretrieve",
    "urllib.request.urlopen",
    "requests.",
    "httpx.",
    "wget.download",
    "gdown.download",
    "tensorflow.keras.utils.get_file",
    "keras.utils.get_file",
    "sklearn.datasets.fetch_",
    "seaborn.load_dataset",
    "torch.hub.load",
    "kagglehub.",
    "huggingface_hub.hf_hub_download",
    "huggingface_hub.snapshot_download",
    "yfinance.download",
)
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "request", "stream"})
_KERAS_DATASETS = re.compile(r"^(?:tensorflow\.)?keras\.datasets\.\w+\.load_data$")


def _remote_reader(call: CallSite, analysis: Analysis) -> str | None:
    """The URL a reader is given, when it is a literal, a literal name or an f-string."""
    for position, arg in enumerate(call.args):
        value: object = arg.literal if arg.is_literal else _name_literal(arg, call, analysis)
        if value is None and call.node is not None and position < len(call.node.args):
            value = _fstring_head(call.node.args[position].value)
        if isinstance(value, str) and REMOTE_URL.match(value):
            return value
    return None


def _name_literal(arg: Argument, call: CallSite, analysis: Analysis) -> object:
    if len(arg.names) != 1 or arg.code.strip() not in arg.names:
        return None
    name, found = arg.code.strip(), None
    for cell in analysis.cells:
        for binding in cell.bindings:
            if binding.name == name and (binding.location.cell_index, binding.location.line) < (
                call.location.cell_index,
                call.location.line,
            ):
                found = binding.literal if binding.is_literal else None
    return found


def _fstring_head(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.FormattedString) and node.parts:
        first = node.parts[0]
        return first.value if isinstance(first, cst.FormattedStringText) else None
    return None


def _fetches(call: CallSite) -> bool:
    name = call.qualified_name or ""
    if name.startswith(("requests.", "httpx.")) or call.receiver_type in {
        "requests.Session",
        "requests.session",
        "httpx.Client",
    }:
        return call.method in _HTTP_VERBS or name.rsplit(".", 1)[-1] in _HTTP_VERBS
    if name.startswith("torchvision.datasets."):
        download = call.keyword("download")
        return download is not None and download.literal is True
    return name.startswith(FETCHERS) or bool(_KERAS_DATASETS.match(name))


def _where(url: str) -> str:
    """The URL without credentials or query string (either may hold a token)."""
    parts = urlsplit(url)
    return clip(f"{parts.scheme}://{parts.hostname or ''}{parts.path}", 60)


class RemoteData(Rule):
    """Data is read straight from a URL (`read_csv('https://…')`, `requests.get`).
    ## What it does
    Flags data read straight from the network: readers (`pandas.read_*`,
    `numpy.loadtxt`…) given an `http(s)`/`ftp`/`s3`/`gs` URL (a literal, an f-string
    starting with one, or a name bound to one), downloaders (`urlretrieve`,
    `requests.get`, `httpx`, `keras.utils.get_file`, `sklearn.datasets.fetch_*`) and
    `!wget` / `!curl` / `gsutil cp` / `aws s3 cp` shell commands.

    ## Why is this bad?
    What a URL serves can change, move or disappear at any time, without the notebook
    changing: results stop being reproducible, a run fails when the network or the
    server is down, and nothing records which version of the data produced the stored
    outputs.

    ## How to fix it
    Download the data once into versioned storage (a data folder, DVC, a bucket with
    object versioning) and read it from there, recording its checksum.
    """

    id = "H103"
    name = "remote-data"
    severity = Severity.WARNING

    valid = (
        Example(
            "import pandas as pd\ndf = pd.read_csv('data/train.csv')",
            "url = 'https://example.org/docs'\nprint(url)",
        ),
        Example("import numpy as np\nnp.loadtxt('/tmp/x.txt')", "!ls data", "get('https://x')"),
        Example("import requests\nrequests.codes.ok", "import pandas as pd\npd.read_csv(path)"),
        Example("from torchvision import datasets\ndatasets.MNIST('data', download=False)"),
    )
    invalid = (
        Example(
            "import pandas as pd\ndf = pd.read_csv('https://example.org/iris.csv')", expect=[(0, 2)]
        ),
        Example(
            "import pandas as pd\nURL = 'https://example.org/d.parquet'",
            "df = pd.read_parquet(URL)",
            "x = pd.read_json(f's3://bucket/{day}.json')",
            expect=[(1, 1), (2, 1)],
        ),
        Example(
            "from urllib.request import urlretrieve\nurlretrieve(url, 'a.zip')",
            "import requests as r\nresp = r.get(api, timeout=5)",
            expect=[(0, 2), (1, 2)],
        ),
        Example(
            "from sklearn.datasets import fetch_openml\nX = fetch_openml('mnist_784')",
            "import tensorflow as tf\np = tf.keras.utils.get_file('a.csv', origin=u)",
            expect=[(0, 2), (1, 2)],
        ),
        Example(
            "!wget -q https://example.org/data.zip",
            "!curl -O $URL && unzip data.zip",
            "%%bash\ngsutil cp gs://b/x.csv .\naws s3 cp s3://b/y.csv .",
            expect=[(0, 1), (1, 1), (2, 2), (2, 3)],
        ),
        Example(
            "import requests\ns = requests.Session()\nr = s.get('https://api.x.org/v1')",
            "from tensorflow.keras.datasets import mnist\nmnist.load_data()",
            expect=[(0, 3), (1, 2)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            for call in cell.calls:
                name = call.qualified_name or call.receiver_type or ""
                url = _remote_reader(call, ctx.analysis) if name.startswith(READERS) else None
                if url is not None:
                    yield Violation.at(
                        call.location,
                        f"`{name}` reads `{_where(url)}` straight "
                        "from the network; the data can change under the notebook",
                    )
                elif _fetches(call):
                    shown = call.qualified_name or f"{call.receiver_type}.{call.method}"
                    yield Violation.at(
                        call.location,
                        f"`{shown}` fetches data over the network; "
                        "it can change or vanish under the notebook",
                    )
            for command in shell_commands(cell):
                if downloads(command.text):
                    yield Violation.at(
                        command.location,
                        f"`{command_shown(command)}` downloads "
                        "data that can change or vanish under the notebook",
                    )
