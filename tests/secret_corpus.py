"""A labelled secrets corpus generated at run time (no real-looking secret is ever committed).

Positives: every rule family in realistic syntax (env files, YAML, JSON, Python, shell,
URLs). Negatives: placeholders, ``${VAR}``, UUIDs, git SHAs, lock-file hashes, base64
images, identifiers, paths and documentation examples. Used by the tests and by
``benchmarks/policy/run.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass

ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class Sample:
    name: str
    text: str
    family: str | None  # None = a negative


def _r(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _wrap(rng: random.Random, key: str, value: str) -> tuple[str, str]:
    """The same key/value in one of six syntaxes."""
    style = rng.choice(["env", "yaml", "json", "python", "shell", "toml"])
    lower = key.lower()
    text = {
        "env": f"{key}={value}\n",
        "yaml": f"service:\n  {lower}: {value}\n",
        "json": json.dumps({"service": {lower: value}}, indent=2) + "\n",
        "python": f'{key} = "{value}"\n',
        "shell": f'export {key}="{value}"\n',
        "toml": f'[service]\n{lower} = "{value}"\n',
    }[style]
    return style, text


def _jwt(rng: random.Random) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': _r(rng, 10), 'iat': rng.randint(1, 10**9)})}.{_r(rng, 43, ALNUM + '_-')}"


def _private_key(rng: random.Random) -> str:
    body = "\n".join(_r(rng, 64, ALNUM + "+/") for _ in range(6))
    kind = rng.choice(["RSA ", "EC ", "OPENSSH ", ""])
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----\n"


POSITIVES: dict[str, Callable[[random.Random], tuple[str, str]]] = {
    "aws": lambda r: _wrap(r, "AWS_ACCESS_KEY_ID", "AKIA" + _r(r, 16, UPPER)),
    "aws-secret": lambda r: _wrap(r, "AWS_SECRET_ACCESS_KEY", _r(r, 40, ALNUM + "/+")),
    "github": lambda r: _wrap(r, r.choice(["GITHUB_TOKEN", "GH_PAT", "DEPLOY_CRED"]), "ghp_" + _r(r, 36)),
    "slack": lambda r: _wrap(
        r, "SLACK_BOT", f"xoxb-{_r(r, 12, string.digits)}-{_r(r, 12, string.digits)}-{_r(r, 24)}"
    ),
    "slack-webhook": lambda r: (
        "url",
        f"curl -X POST https://hooks.slack.com/services/T{_r(r, 8, UPPER)}/B{_r(r, 8, UPPER)}/{_r(r, 24)}\n",
    ),
    "stripe": lambda r: _wrap(r, "STRIPE_KEY", "sk_live_" + _r(r, 24)),
    "google": lambda r: _wrap(r, "MAPS_KEY", "AIza" + _r(r, 35, ALNUM + "_-")),
    "jwt": lambda r: _wrap(r, "SESSION_COOKIE", _jwt(r)),
    "api-key": lambda r: _wrap(r, "OPENAI_API_KEY", "sk-proj-" + _r(r, 48, ALNUM + "_-")),
    "auth-header": lambda r: (
        "shell",
        f'curl -H "Authorization: Bearer {_r(r, 40, ALNUM + "._-")}" https://api.internal/v1/items\n',
    ),
    "connection-string": lambda r: _wrap(
        r, "DATABASE_URL", f"postgres://app_user:{_r(r, 18, ALNUM + '!#%^')}@db.internal:5432/app"
    ),
    "password": lambda r: _wrap(
        r, r.choice(["DB_PASSWORD", "SMTP_PASS", "ADMIN_PWD"]), _r(r, 14, ALNUM + "!#%^&")
    ),
    "private-key": lambda r: ("pem", _private_key(r)),
    "generic": lambda r: r.choice(
        [
            lambda: _wrap(r, r.choice(["MAILGUN_SIGNING", "SENTRY_DSN_PART", "PUSHER_APP"]), _r(r, 32)),
            lambda: ("python", f'client = Client("{_r(r, 40)}", region="eu")\n'),
            lambda: ("url", f"https://cdn.example.org/file.zip?sig={_r(r, 32)}&exp=1700000000\n"),
            lambda: ("yaml", f"webhooks:\n  - id: {_r(r, 36)}\n    active: true\n"),
        ]
    )(),
}


def _b64_image(r: random.Random) -> str:
    raw = bytes(r.getrandbits(8) for _ in range(120))
    return "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + raw).decode()


NEGATIVES: list[Callable[[random.Random], str]] = [
    lambda r: f"password = ${{DB_PASSWORD}}\nAPI_KEY=${{API_KEY_{r.randint(1, 9)}}}\n",
    lambda r: 'password: "{{ vault_db_password }}"\ntoken: <your-token-here>\n',
    lambda r: 'DB_PASSWORD=changeme\nSECRET_KEY="your-secret-key"\napi_key = "xxxxxxxxxxxxxxxx"\n',
    lambda r: 'secret = os.environ["APP_SECRET"]\npassword = settings.DATABASE_PASSWORD\n',
    lambda r: (
        f"request_id: {uuid.UUID(int=r.getrandbits(128))}\ntrace = '{uuid.UUID(int=r.getrandbits(128))}'\n"
    ),
    lambda r: (
        f"commit {hashlib.sha1(_r(r, 8).encode()).hexdigest()}\nMerge: {hashlib.sha1(_r(r, 9).encode()).hexdigest()[:7]}\n"
    ),
    lambda r: (
        json.dumps(
            {
                "node_modules/left-pad": {
                    "version": "1.3.0",
                    "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
                    "integrity": "sha512-"
                    + base64.b64encode(hashlib.sha512(_r(r, 8).encode()).digest()).decode(),
                }
            },
            indent=2,
        )
        + "\n"
    ),
    lambda r: f"requests==2.31.0 \\\n    --hash=sha256:{hashlib.sha256(_r(r, 8).encode()).hexdigest()}\n",
    lambda r: (
        f'{{file = "pkg-1.0.tar.gz", hash = "sha256:{hashlib.sha256(_r(r, 7).encode()).hexdigest()}"}}\n'
    ),
    lambda r: (
        f"github.com/pkg/errors v0.9.1 h1:{base64.b64encode(hashlib.sha256(_r(r, 6).encode()).digest()).decode()}\n"
    ),
    lambda r: f'<img src="{_b64_image(r)}" alt="logo">\n',
    lambda r: f".logo {{ background: url({_b64_image(r)}); }}\n",
    lambda r: (
        "def getUserAccountSettingsHandler2(request):\n    return AccountSettingsSerializerV2(request)\n"
    ),
    lambda r: "PYTHONPATH=/usr/lib/python3.11/site-packages/myproject/vendor\n",
    lambda r: f"image: ghcr.io/acme/service@sha256:{hashlib.sha256(_r(r, 5).encode()).hexdigest()}\n",
    lambda r: "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    lambda r: "The password must be at least 12 characters long.\nSee https://example.com/docs/page?id=42\n",
    lambda r: f"version: 3.{r.randint(0, 20)}.{r.randint(0, 9)}\ncolor: '#{_r(r, 6, '0123456789abcdef')}'\n",
    lambda r: "Authorization: Bearer ${ACCESS_TOKEN}\nauth = HTTPBasicAuth(user, password)\n",
    lambda r: 'password = get_password()\ntoken = request.headers.get("X-Token")\n',
    lambda r: (
        f'etag: W/"{hashlib.md5(_r(r, 5).encode()).hexdigest()}"\nnonce: {hashlib.sha256(_r(r, 4).encode()).hexdigest()}\n'
    ),
    lambda r: "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal:5432/app\n",
]


EXTENSIONS = {
    "env": ".env",
    "yaml": ".yaml",
    "json": ".json",
    "python": ".py",
    "shell": ".sh",
    "toml": ".toml",
    "url": ".txt",
    "pem": ".pem",
}


def corpus(per_family: int = 40, negatives_each: int = 20, seed: int = 2026) -> list[Sample]:
    rng = random.Random(seed)
    out: list[Sample] = []
    for family, make in POSITIVES.items():
        for i in range(per_family):
            style, text = make(rng)
            out.append(Sample(f"pos-{family}-{i}{EXTENSIONS[style]}", text, family))
    for n, make_neg in enumerate(NEGATIVES):
        for i in range(negatives_each):
            out.append(Sample(f"neg-{n}-{i}.txt", make_neg(rng), None))
    return out
