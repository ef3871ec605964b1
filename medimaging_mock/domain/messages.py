r"""Messages the service stores on versions and jobs fit the model's `Message` shape: 1-2048 characters of
`[\w -:`]` (Java's ASCII \w; ` -:` is the range from space to colon). A reason that says more (a value with
`;`, brackets or non-ASCII letters) keeps its words, with every other character made a space."""

from __future__ import annotations

import re

MAX_LENGTH = 2048
_OUTSIDE = re.compile(r"[^A-Za-z0-9_ -:`]+")


def fitted(message: str | None) -> str | None:
    if message is None:
        return None
    text = _OUTSIDE.sub(" ", message)
    return text[:MAX_LENGTH] if text.strip() else "Failed"
