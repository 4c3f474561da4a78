"""Bearer tokens for the API and the command line: signed user ids (itsdangerous), revoked by deactivating the user.

``issue_token(secret, user_id)`` → a string for ``Authorization: Bearer …``; ``read_token`` gives the id back
or None for anything forged, altered or older than a year.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "stockyard-api-token"
MAX_AGE_S = 365 * 24 * 3600


def issue_token(secret: str, user_id: int) -> str:
    """``issue_token("s3cret", 1)`` → ``"eyJ1IjoxfQ.…"``."""
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"u": user_id})


def read_token(secret: str, token: str) -> int | None:
    """The user id a token was issued for, or None: ``read_token("s3cret", issue_token("s3cret", 1)) == 1``."""
    try:
        data = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=MAX_AGE_S)
    except BadSignature:
        return None
    user = data.get("u") if isinstance(data, dict) else None
    return user if isinstance(user, int) else None
