"""Secrets generated at test time (never committed as literals), one per rule family."""

from __future__ import annotations

import base64
import json
import random
import string

ALNUM = string.ascii_letters + string.digits


def rand(n: int, alphabet: str = ALNUM, seed: int | None = None) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


def jwt(seed: int = 1) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': rand(8, seed=seed)})}.{rand(43, seed=seed)}"


def samples(seed: int = 7) -> dict[str, tuple[str, str]]:
    """rule id -> (line of text containing the secret, the secret value)."""
    up = string.ascii_uppercase + string.digits
    aws_id = "AKIA" + rand(16, up, seed)
    aws_secret = rand(40, ALNUM + "/+", seed + 1)
    gh = "ghp_" + rand(36, seed=seed + 2)
    slack = "xoxb-" + rand(12, string.digits, seed) + "-" + rand(24, seed=seed + 3)
    stripe = "sk_live_" + rand(24, seed=seed + 4)
    google = "AIza" + rand(35, ALNUM + "_-", seed + 5)
    token = jwt(seed)
    bearer = rand(32, seed=seed + 6)
    db_pw = rand(14, seed=seed + 7)
    pw = rand(12, seed=seed + 8)
    key_body = rand(64, seed=seed + 9)
    begin = "-----BEGIN " + "RSA PRIVATE KEY-----"
    end = "-----END " + "RSA PRIVATE KEY-----"
    return {
        "aws-access-key-id": (f"aws_access_key_id = {aws_id}", aws_id),
        "aws-secret-access-key": (f"aws_secret_access_key = {aws_secret}", aws_secret),
        "github-token": (f"GITHUB_TOKEN={gh}", gh),
        "slack-token": (f"slack: {slack}", slack),
        "stripe-key": (f'stripe.api_key = "{stripe}"', stripe),
        "google-api-key": (f"maps_key: {google}", google),
        "jwt": (f"cookie session={token}", token),
        "authorization-header": (f"Authorization: Bearer {bearer}", bearer),
        "url-credentials": (f"DATABASE_URL=postgres://app:{db_pw}@db.internal:5432/app", db_pw),
        "password-assignment": (f'password = "{pw}"', pw),
        "private-key": (f"{begin}\n{key_body}\n{end}", key_body),
    }
