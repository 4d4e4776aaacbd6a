"""H302 secret-in-output."""

from __future__ import annotations

from collections.abc import Iterator

from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation, code
from harden.secrets import output_texts, text_secrets

# Well-formed fake tokens, assembled so that no scanner mistakes this file for a leak.
_GITHUB = "ghp_" + "Z9y8" * 9
_AWS = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key id
_GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"


def _stream(text: str) -> dict[str, object]:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _result(mime: str, text: str) -> dict[str, object]:
    return {
        "output_type": "execute_result",
        "execution_count": 1,
        "metadata": {},
        "data": {mime: text},
    }


def _error(value: str) -> dict[str, object]:
    return {
        "output_type": "error",
        "ename": "ValueError",
        "evalue": value,
        "traceback": ["\x1b[0;31mValueError\x1b[0m: " + value],
    }


class SecretInOutput(Rule):
    """A stored cell output contains an API key, token or password.
    ## What it does
    Flags a code cell whose stored outputs hold a secret: H301's detectors run over
    stream text, `text/plain`, `text/html` and other text or JSON results, and error
    values and tracebacks. It points at the cell whose output holds the secret (no line)
    and shows the secret redacted.

    ## Why is this bad?
    Outputs are saved in the notebook file: a printed token, a config dict echoed as the
    cell's result or a traceback quoting a connection string leaks the secret to
    everyone who opens the file, its rendered page on GitHub, or the repository history
    — even when the code itself reads the secret safely from the environment.

    ## How to fix it
    Revoke the secret, clear the outputs (`jupyter nbconvert --clear-output`) and stop
    printing or displaying credentials.
    """

    id = "H302"
    name = "secret-in-output"
    severity = Severity.ERROR
    shows_source = False

    valid = (
        Example(code("print('done')", 1, [_stream("done\n")])),
        Example(code("cfg", 2, [_result("text/plain", "{'token': 'YOUR_TOKEN', 'password': ''}")])),
        Example(
            code("tok", 1, [_result("text/plain", "['eos_token', 'pad_token']")]),
            code(f"x = '{_AWS}'"),
        ),
    )
    invalid = (
        Example(
            code("import os\nprint(os.environ['GH'])", 1, [_stream(_GITHUB + "\n")]),
            message="shows GitHub token `ghp_…(40 chars)`",
            severity="error",
            expect=[(0, None)],
        ),
        Example(
            "import json",
            code("cfg", 3, [_result("text/plain", "{'db_password': 'hunter22!'}")]),
            expect=[(1, None)],
        ),
        Example(
            code("connect()", 4, [_error(f"bad key {_GOOGLE}")]),
            code("show()", 5, [_result("text/html", f"<td>{_AWS}</td>")]),
            expect=[(0, None), (1, None)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.notebook.code_cells:
            seen: set[str] = set()
            for what, text in output_texts(cell.outputs):
                for secret in text_secrets(text):
                    if secret.value in seen:
                        continue
                    seen.add(secret.value)
                    subject = (
                        f"`{secret.name}` set to a secret `{secret.redacted}`"
                        if secret.name
                        else f"{secret.kind} `{secret.redacted}`"
                    )
                    yield Violation(
                        f"this cell's stored output ({what}) shows {subject}", cell.index
                    )
