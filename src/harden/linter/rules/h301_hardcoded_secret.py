"""H301 hardcoded-secret."""

from __future__ import annotations

from collections.abc import Iterator

from harden.analysis.secrets import cell_secrets
from harden.linter.finding import Severity
from harden.linter.rule import Example, Rule, RuleContext, Violation
from harden.secrets import redact_text

# Test tokens are assembled from pieces so that no scanner mistakes this file
# for a leak; they are well-formed but fake.
_AWS = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key id
_GITHUB = "ghp_" + "a1B2" * 9
_SLACK = "xoxb-" + "1234567890-" + "aBcDeFgHiJkL"
_JWT = "eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0" + ".c2lnbmF0dXJlLXNpZw"
_OPENAI = "sk-" + "proj-" + "Ab3dE6gH9jK2mN5pQ8sT1vW4"
_KEY = "-----BEGIN RSA " + "PRIVATE KEY-----\\nMIIEowIBAAKCAQEA7x\\n-----END RSA PRIVATE KEY-----"


class HardcodedSecret(Rule):
    """An API key, token or password is written into the source.
    ## What it does
    Flags secrets written into the source: known key formats anywhere in a string (AWS
    access key ids, GitHub, Slack, Stripe live, Google, OpenAI and Hugging Face keys,
    JWTs, bearer tokens, private key blocks) and literals given to secret-like names —
    variables, keyword arguments, dict keys, `os.environ["…"]` items and attributes
    called `password`, `api_key`, `secret`, `token`, `client_secret`… Empty strings and
    placeholders (`"xxx"`, `"<your-key>"`, `"YOUR_API_KEY"`, `"changeme"`) and values
    read from `os.environ` or `getpass` are not secrets, nor is a path to the file
    that holds one (`GOOGLE_APPLICATION_CREDENTIALS = "service-account.json"`: a file
    name with a key or config file's suffix such as `.json`, `.pem`, `.key`, `.txt`).
    Findings show the secret redacted (its first four characters, only for long
    values, and its length); the source line is shown with every secret on it
    redacted.

    ## Why is this bad?
    A notebook is shared, committed, rendered on GitHub and copied into reports: a
    secret in its source is a leaked secret, readable by everyone who ever sees any
    copy, and it stays in the version history after the line is deleted.

    ## How to fix it
    Revoke the secret now, then read it at run time from the environment
    (`os.environ['API_KEY']`) or a secret manager; never commit it.
    """

    id = "H301"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    shows_source = False

    valid = (
        Example(
            "import os\napi_key = os.environ['API_KEY']",
            "password = ''",
            "token = 'YOUR_API_KEY'",
            "secret = '<your-secret>'",
        ),
        Example(
            "eos_token = '</s>'\npad_token = '[PAD]'",
            "token_path = '~/.cache/token'",
            "token = 'hello'",
            "API_KEY_ENV = 'OPENAI_API_KEY'",
        ),
        Example(
            "import getpass\npassword = getpass.getpass()",
            "tokens = tokenize(text)",
            "client(api_key=key)",
            "aws_key = 'AKIAXXXXXXXXXXXXXXXX'",
        ),
        # A path to the file that holds a credential is not the credential.
        Example(
            "import os\n"
            "os.environ['GOOGLE_APPLICATION_CREDENTIALS'] = 'my_service_account_private_key.json'",
            "credentials = 'keys/service-account-1f3a.json'",
            "api_key = r'C:\\Users\\me\\.secrets\\openai_key.txt'",
        ),
    )
    invalid = (
        Example(
            f"AWS_ACCESS_KEY_ID = '{_AWS}'",
            message="AWS access key id `AKIA…(20 chars)` is written in the source",
            severity="error",
            expect=[(0, 1)],
        ),
        Example(
            "import os",
            f"os.environ['GITHUB_TOKEN'] = '{_GITHUB}'",
            f"headers = {{'Authorization': 'Bearer {_JWT}'}}",
            expect=[(1, 1), (2, 1)],
        ),
        Example(
            "db_password = 'hunter22!'\nx = 1\nclient = Client(api_key='k3y-9f8e7d6c5b')",
            expect=[(0, 1), (0, 3)],
        ),
        Example(
            f"cfg = {{\n    'slack': '{_SLACK}',\n    'client_secret': 'Zq8-pL3x-Vw9',\n}}",
            f"openai.api_key = '{_OPENAI}'",
            expect=[(0, 2), (0, 3), (1, 1)],
        ),
        Example(
            f"KEY = '{_KEY}'",
            f"!curl -H 'Authorization: token {_GITHUB}' x",
            expect=[(0, 1), (1, 1)],
        ),
        # Slashes and dots do not make a secret a path: only a file name's suffix does.
        Example(
            "import os\n"
            "os.environ['AWS_SECRET_ACCESS_KEY'] = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'",
            "db_password = 'hunter22.pass'",
            message="is set to a literal secret `",
            expect=[(0, 2), (1, 1)],
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for cell in ctx.analysis.cells:
            found = cell_secrets(cell)
            secrets = [secret for secret, _ in found]
            for secret, location in found:
                line = ctx.notebook.cells[cell.index].line(location.line) or ""
                # A named secret written with escapes is not literally on the line,
                # so it cannot be redacted there: show no line rather than leak it.
                hidden = all(
                    s.value in line
                    for s, at in found
                    if s.name is not None and at.line == location.line
                )
                snippet = redact_text(line, secrets) if line and hidden else None
                if secret.name is not None:
                    message = (
                        f"`{secret.name}` is set to a literal secret "
                        f"`{secret.redacted}` in the source"
                    )
                else:
                    message = f"{secret.kind} `{secret.redacted}` is written in the source"
                yield Violation.at(location, message, snippet=snippet)
