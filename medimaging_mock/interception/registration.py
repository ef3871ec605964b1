"""Plug the service into moto at import time: moto's dispatcher (so `mock_aws`, the `requests` path and
moto's server serve it) and a botocore handler for every session created from now on."""

from __future__ import annotations

import re
import sys
import threading
import warnings

import botocore.handlers
from moto import backend_index
from moto.core.models import botocore_stubber

from medimaging_mock.interception import moto_service
from medimaging_mock.interception.botocore_hook import EVENT, before_send, other_services_only
from medimaging_mock.interception.moto_service.urls import url_bases

MOTO_NAME = "medicalimaging"  # moto's name for the service: the one users pass to service_whitelist
_lock = threading.Lock()


def register() -> None:
    """Idempotent. Patterns are appended in place: moto's server and proxy hold references to the list."""
    with _lock:
        native = sys.modules.setdefault(f"moto.{MOTO_NAME}", moto_service)
        if native is not moto_service:
            warnings.warn(
                "moto ships its own medical-imaging backend; medimaging_mock leaves it in charge",
                stacklevel=2,
            )
            return
        patterns = backend_index.backend_url_patterns
        if not any(name == MOTO_NAME for name, _ in patterns):
            patterns.extend((MOTO_NAME, re.compile(base)) for base in url_bases)
        builtin = botocore.handlers.BUILTIN_HANDLERS
        handler = (EVENT, before_send, botocore.handlers.REGISTER_FIRST)
        if handler not in builtin:
            builtin.append(handler)
            moto_entry = ("before-send", botocore_stubber)
            if moto_entry in builtin:
                builtin[builtin.index(moto_entry)] = ("before-send", other_services_only(botocore_stubber))
