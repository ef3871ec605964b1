"""Fresh boto3 clients for the pytest fixtures, at a fraction of what a new boto3 session costs.

moto resets boto3's default session at every start, so `boto3.client(...)` in a fixture builds a whole
session each test: some 650 handler registrations, then the service model, endpoints and partitions parsed
from JSON again. Here every client still gets a botocore session of its own, so credentials, region and
configuration come from the environment of the test that asks, and handlers a test registers stay on its
client. Two things that never change are built once and shared:

* the parsed JSON, through one botocore Loader (the `data_loader` component, which caches what it loads)
  per data path; clients only read it, as every client of one boto3 session does;
* botocore's built-in handlers (moto's and this mock's before-send hooks among them), registered once on a
  template emitter that each session gets a copy of, as botocore gives each client a copy of its session's.
"""

from __future__ import annotations

import copy
from typing import Any

import boto3
import botocore
import botocore.handlers
import botocore.session
from botocore.client import BaseClient
from botocore.hooks import EventAliaser, HierarchicalEmitter
from botocore.loaders import Loader, create_loader

_builtin: tuple[tuple[Any, ...], HierarchicalEmitter] | None = None  # (BUILTIN_HANDLERS then, emitter)
_loader: tuple[str | None, Loader] | None = None  # (data path, its loader)


def new_client(service_name: str, region_name: str) -> BaseClient:
    """What `boto3.client(service_name, region_name=region_name)` gives in a fresh default session."""
    session = botocore.session.Session(event_hooks=_builtin_handlers(), include_builtin_handlers=False)
    session.register_component("data_loader", _data_loader(session.get_config_variable("data_path")))
    # boto3.Session's user agent (it would also add its data path to the shared loader, once per session)
    session.user_agent_name, session.user_agent_version = "Boto3", boto3.__version__
    session.user_agent_extra = f"Botocore/{botocore.__version__}"
    return session.create_client(service_name, region_name=region_name)


def _builtin_handlers() -> HierarchicalEmitter:
    """A copy of an emitter holding BUILTIN_HANDLERS as a new session registers them; rebuilt whenever
    that list changes (moto and this package append to it at import)."""
    global _builtin
    current = tuple(botocore.handlers.BUILTIN_HANDLERS)
    if _builtin is None or _builtin[0] != current:
        emitter = HierarchicalEmitter()
        aliased = EventAliaser(emitter)
        register = {botocore.handlers.REGISTER_FIRST: aliased.register_first}
        register[botocore.handlers.REGISTER_LAST] = aliased.register_last
        for event_name, handler, *how in current:
            if not how:
                aliased.register(event_name, handler)
            elif how[0] in register:
                register[how[0]](event_name, handler)
        _builtin = current, emitter
    return copy.copy(_builtin[1])


def _data_loader(data_path: str | None) -> Loader:
    global _loader
    if _loader is None or _loader[0] != data_path:
        _loader = data_path, create_loader(data_path)
    return _loader[1]
