"""What the rule examples cannot express for H101–H107 and H301/H302:
the analysis fact they rely on, H105's per-finding severity, the overlap
between H103/H104/H105/H106 through the engine, and that secrets never
leave harden in any output format."""

from __future__ import annotations

from harden.analysis import analyze
from harden.config import Config
from harden.linter.engine import lint_notebook
from harden.linter.finding import Finding, Severity
from harden.linter.registry import all_rules
from harden.linter.rule import Example, code

RULES = {rule.id: rule for rule in all_rules(include_plugins=False)}


def _config(*ids: str, severities: dict[str, Severity] | None = None) -> Config:
    return Config(
        pack="test",
        select=ids,
        ignore=(),
        severities=severities or {},
        options={},
        fail_on=Severity.ERROR,
    )


def _lint(example: Example, *ids: str, **kwargs: object) -> tuple[Finding, ...]:
    config = _config(*ids, **kwargs)  # type: ignore[arg-type]
    return lint_notebook(example.notebook(), config, [RULES[i] for i in ids]).findings


# -- analysis ------------------------------------------------------------------


def test_a_shell_cell_magic_is_recorded_once_at_its_line() -> None:
    analysis = analyze(
        Example("%%bash\nls", "\n\n%%writefile a.py\nx = 1", "%%time\ny = 2").notebook()
    )
    magics = [[(m.kind, m.name, m.location.line) for m in c.magics] for c in analysis.cells]
    assert magics == [[("cell", "bash", 1)], [("cell", "writefile", 3)], [("cell", "time", 1)]]


def test_fstring_parts_after_an_expression_are_marked() -> None:
    analysis = analyze(Example("p = f'/home/{user}/x.csv'\nq = 'a/b'").notebook())
    marks = [(s.value, s.mid_fstring) for s in analysis.cells[0].strings]
    assert sorted(marks) == [("/home/", False), ("/x.csv", True), ("a/b", False)]


# -- H105: per-finding severity ---------------------------------------------------

MAGICS = Example("%matplotlib inline\n%run helpers.py", "%%time\nx = 1", "files = !ls")


def test_display_only_magics_are_info_and_the_others_warnings() -> None:
    got = [(f.cell_index, f.line, f.severity) for f in _lint(MAGICS, "H105")]
    assert got == [
        (0, 1, Severity.INFO),
        (0, 2, Severity.WARNING),
        (1, 1, Severity.INFO),
        (2, 1, Severity.WARNING),
    ]


def test_a_configured_severity_applies_to_every_finding_of_the_rule() -> None:
    for configured in (Severity.ERROR, Severity.INFO):
        findings = _lint(MAGICS, "H105", severities={"H105": configured})
        assert len(findings) == 4 and {f.severity for f in findings} == {configured}


def test_a_configured_severity_for_another_rule_leaves_display_magics_info() -> None:
    findings = _lint(MAGICS, "H105", "H104", severities={"H104": Severity.ERROR})
    assert [f.severity for f in findings if f.line == 1 and f.cell_index == 0] == [Severity.INFO]


# -- overlap: the more specific rule reports ----------------------------------------

OVERLAP = Example(
    "!pip install pandas\n%pip install numpy\n!wget -q https://example.org/d.csv",
    "%cd data\n!ls\nimport os\nos.chdir('..')",
    "%%bash\npip install -r requirements.txt\ncurl -O https://example.org/a.zip",
    "%%bash\npip install x\nls -la",
    "!pip install x && wget https://example.org/b.zip\n%matplotlib inline",
)


def test_each_magic_is_reported_by_the_most_specific_rule_only() -> None:
    got = sorted(
        (f.rule_id, f.cell_index, f.line) for f in _lint(OVERLAP, "H103", "H104", "H105", "H106")
    )
    assert got == sorted(
        [
            ("H104", 0, 1),
            ("H104", 0, 2),
            ("H103", 0, 3),
            ("H106", 1, 1),
            ("H105", 1, 2),
            ("H106", 1, 4),
            ("H104", 2, 2),
            ("H103", 2, 3),  # every line claimed: no H105 for this %%bash
            ("H105", 3, 1),
            ("H104", 3, 2),  # `ls -la` is not claimed: the cell is H105
            ("H104", 4, 1),
            ("H103", 4, 1),
            ("H105", 4, 2),
        ]
    )


# -- secrets never leave harden ----------------------------------------------------

AWS_KEY = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key id
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's documented example
GITHUB = "ghp_" + "a1B2" * 9
SLACK = "xoxp-" + "2468013579-" + "QwErTyUiOpAs"
STRIPE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
JWT = "eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0" + ".c2lnbmF0dXJlLXNpZw"
PASSWORD = "hunter2-Secret!"
SECRETS = (AWS_KEY, AWS_SECRET, GITHUB, SLACK, STRIPE, JWT, PASSWORD)

LEAKY = Example(
    "import os\nimport requests\nimport numpy as np",
    f"AWS_ACCESS_KEY_ID = '{AWS_KEY}'\naws_secret_access_key = '{AWS_SECRET}'",
    # other rules flag these lines and show them: the engine must redact them too
    f"r = requests.get('https://api.example.org', headers={{'Authorization': 'Bearer {JWT}'}})",
    f"db_password = '{PASSWORD}'; x = np.random.rand(3)",
    f"os.chdir('/home/ana/{GITHUB}')",
    code(f"!curl -u ana:{STRIPE} https://api.example.org", 1),
    code(
        "print(os.environ['SLACK'])",
        2,
        [{"output_type": "stream", "name": "stdout", "text": f"{SLACK}\n{GITHUB}\n"}],
    ),
    code(
        "cfg",
        3,
        [
            {
                "output_type": "execute_result",
                "execution_count": 3,
                "metadata": {},
                "data": {
                    "text/plain": f"{{'password': '{PASSWORD}'}}",
                    "text/html": f"<b>{AWS_KEY}</b>",
                },
            }
        ],
    ),
    code(
        "connect()",
        4,
        [
            {
                "output_type": "error",
                "ename": "AuthError",
                "evalue": JWT,
                "traceback": [f"\x1b[31mAuthError\x1b[0m: {JWT}"],
            }
        ],
    ),
)


def _leaks(text: str) -> list[str]:
    """Secrets of which any recognisable part (beyond the 4 shown characters) is in ``text``."""
    return [s for s in SECRETS if s[4:16] in text or s[-8:] in text]


def test_secrets_are_reported_redacted_and_never_leave_harden() -> None:
    from harden.linter.formats import FORMATS, get_formatter

    config = Config(
        pack="test",
        select=tuple(RULES),
        ignore=(),
        severities={},
        options={},
        fail_on=Severity.ERROR,
    )
    result = lint_notebook(LEAKY.notebook("leaky.ipynb"), config, list(RULES.values()))
    found = {(f.rule_id, f.cell_index) for f in result.findings}
    assert {("H301", 1), ("H301", 2), ("H301", 3), ("H301", 4), ("H301", 5)} <= found
    assert {("H302", 6), ("H302", 7), ("H302", 8)} <= found
    assert ("H103", 2) in found and ("H101", 3) in found  # lines other rules show
    assert any(
        f.snippet and "Bearer eyJh…(" in f.snippet for f in result.findings if f.rule_id == "H103"
    )
    assert "AKIA…(20 chars)" in " ".join(f.message for f in result.findings)
    for finding in result.findings:
        for value in vars(finding).values():
            assert not _leaks(str(value)), (finding.rule_id, value)
    infos = [rule.info() for rule in RULES.values()]
    for name in FORMATS:
        document = get_formatter(name)([result], infos, color=False, fail_on=Severity.ERROR)
        assert not _leaks(document), name


def test_secret_detectors_ignore_placeholders_and_vocabulary() -> None:
    from harden.secrets import is_secret_name, named_secret, redact

    assert [
        n
        for n in (
            "password",
            "db_pwd",
            "OPENAI_API_KEY",
            "clientSecret",
            "hf_token",
            "aws_secret_access_key",
            "X-Api-Key",
        )
        if not is_secret_name(n)
    ] == []
    assert [
        n
        for n in (
            "token_path",
            "eos_token",
            "tokenizer",
            "key",
            "secret_name",
            "max_tokens",
            "password_field",
        )
        if is_secret_name(n)
    ] == []
    assert [
        v
        for v in (
            "",
            "xxx",
            "<your-key>",
            "YOUR_API_KEY",
            "changeme",
            "${TOKEN}",
            "OPENAI_API_KEY",
            "/home/ana/.token",
            "********",
            "sk-...",
        )
        if named_secret("api_key", v)
    ] == []
    assert named_secret("password", "hunter22") is not None
    assert redact(AWS_KEY) == "AKIA…(20 chars)" and redact("hunter22") == "…(8 chars)"


# -- H102 and the shell parser --------------------------------------------------------


def test_path_kinds() -> None:
    from harden.linter.rules.h102_absolute_path import path_kind

    cases = {
        "/home/ana/x.csv": "user-specific",
        "~/data": "user-specific",
        "C:\\Users\\ana\\x": "user-specific",
        "file:///Users/ana/x.csv": "user-specific",
        "/mnt/data/x": "absolute",
        "/srv/app/model.pkl": "absolute",
        "E:/x.csv": "absolute",
        "/": None,
        "/api/v1": None,
        "/tmp/x.csv": None,
        "/dev/null": None,
        "/home": None,
        "https://x.org/home/a": None,
        "^/home/(\\w+)$": None,
        "A:\\d+": None,
        "a/b": None,
    }
    assert {value: path_kind(value) for value in cases} == cases


def test_shell_commands_are_split_into_simple_commands() -> None:
    from harden.notebook.magics import downloads, installs, simple_commands

    assert simple_commands("sudo DEBIAN_FRONTEND=x apt-get install -y a && ls | wc") == [
        ["apt-get", "install", "-y", "a"],
        ["ls"],
        ["wc"],
    ]
    assert installs("python3 -m pip install -U x") and installs("/opt/conda/bin/conda install y")
    assert not installs("pip list") and not installs("pip freeze > req.txt")
    assert downloads("aws s3 cp s3://b/k .") and not downloads("aws s3 ls")
