"""Plug the service into moto at import time:

* moto's dispatcher, so `mock_aws`, the `requests` path and moto's server serve it;
* moto's `responses` registry, so that the `requests` path to this service's hosts skips moto's search
  through every service (see requests_path);
* a botocore handler on every medical-imaging client built from now on (see botocore_hook; with the
  host-prefix handler when its endpoint is local, see host_prefix); moto's own handler stays as moto
  registered it;
* moto's reset, so the process-wide settings (transitions, frame container, faults) go back to their
  defaults whenever moto resets its state: at every outermost start, and at the stop that removes the data;
  the reset also puts moto's own `responses` registry back, so requests_path's goes in again.
"""

from __future__ import annotations

import re
import sys
import threading
import warnings

import botocore.handlers
from moto import backend_index
from moto.core.models import MockAWS

from medimaging_mock.domain import frames, transitions
from medimaging_mock.interception import moto_service, requests_path
from medimaging_mock.interception.botocore_hook import CLIENT_CLASS_EVENT, serve_in_process
from medimaging_mock.interception.moto_service import MOTO_NAME
from medimaging_mock.interception.moto_service.urls import url_bases
from medimaging_mock.service.faults import faults

_lock = threading.Lock()
_registered = False


def register() -> None:
    """Idempotent. Patterns are appended in place: moto's server and proxy hold references to the list."""
    global _registered
    with _lock:
        if _registered:
            return
        _registered = True
        native = sys.modules.setdefault(f"moto.{MOTO_NAME}", moto_service)
        if native is not moto_service:
            warnings.warn(
                "moto ships its own medical-imaging backend; medimaging_mock leaves it in charge",
                stacklevel=2,
            )
            return
        backend_index.backend_url_patterns.extend((MOTO_NAME, re.compile(base)) for base in url_bases)
        requests_path.install()
        botocore.handlers.BUILTIN_HANDLERS.append((CLIENT_CLASS_EVENT, serve_in_process))
        _reset_settings_with_moto()


def _reset_settings_with_moto() -> None:
    moto_reset = MockAWS.reset

    def reset(self: MockAWS) -> None:
        moto_reset(self)
        requests_path.install()
        transitions.policy.reset()
        frames.container.reset()
        faults.clear()

    MockAWS.reset = reset  # type: ignore[method-assign]
