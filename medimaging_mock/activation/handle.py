"""The handle a started mock returns: transitions, faults, and read access to the state."""

from __future__ import annotations

import numbers
import os
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from moto.core.models import DEFAULT_ACCOUNT_ID

from medimaging_mock.activation.views import BackendView, snapshot
from medimaging_mock.domain import frames, transitions
from medimaging_mock.interception.moto_service.models import all_backends, regional_backend
from medimaging_mock.service.faults import faults as _faults
from medimaging_mock.wire.dicomweb import routes as dicomweb_routes
from medimaging_mock.wire.model import service_model

if TYPE_CHECKING:
    from medimaging_mock.domain.backend import ImagingBackend
    from medimaging_mock.domain.ingestion import DicomSource

DEFAULT_REGION = "us-east-1"


class MockStoppedError(RuntimeError):
    """The handle was used with no `mock_medical_imaging` started: it would act on state nobody serves."""


class Starts:
    """How many starts of `mock_medical_imaging` are active (nesting, as moto counts its own)."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def started(self) -> None:
        with self._lock:
            self._count += 1

    def stopped(self) -> None:
        with self._lock:
            self._count -= 1

    def check(self) -> None:
        if not self._count:
            raise MockStoppedError(
                "the medical-imaging mock is stopped; use the handle while it runs: inside "
                "`with mock_medical_imaging() as mi:`, the decorated test, or between m.start() and m.stop()"
            )


starts = Starts()


def _unchecked() -> None:
    """A handle made directly, not by a mock (say, for a moto server in this process), works whenever."""


class FaultInjector:
    def __init__(self, check: Callable[[], None] = _unchecked) -> None:
        self._check = check

    def add(
        self, operation: str, error: str | None = None, *, times: int = 1, latency: float | None = None
    ) -> None:
        """The next `times` calls of `operation` wait `latency` seconds and/or fail with `error`.
        Checked here, so that a fault never breaks the call it applies to in a way it does not name."""
        self._check()
        model = service_model()
        if operation in dicomweb_routes.OPERATIONS:
            modelled = list(dicomweb_routes.ERRORS)
        elif operation in model.operation_names:
            modelled = [shape.name for shape in model.operation_model(operation).error_shapes]
        else:
            known = [*model.operation_names, *sorted(dicomweb_routes.OPERATIONS)]
            raise ValueError(f"{operation!r} is not a medical-imaging operation; one of {known}")
        if error is not None and error not in modelled:
            raise ValueError(f"{operation} does not model {error!r}; it models {modelled}")
        if error is None and latency is None:
            raise ValueError("a fault needs an error, a latency, or both")
        if not isinstance(times, numbers.Integral) or isinstance(times, bool) or times < 1:
            raise ValueError(f"times must be a whole number >= 1, not {times!r}")
        if latency is not None and not _is_latency(latency):
            raise ValueError(
                f"latency must be a number of seconds from 0 to {threading.TIMEOUT_MAX:.0f}, not {latency!r}"
            )
        _faults.add(operation, error, int(times), None if latency is None else float(latency))

    def clear(self) -> None:
        self._check()
        _faults.clear()


def _is_latency(value: object) -> bool:
    """A number of seconds time.sleep takes: finite, >= 0, at most the platform's longest wait."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    try:
        return 0 <= float(value) <= threading.TIMEOUT_MAX  # NaN compares False; huge ints overflow
    except OverflowError:
        return False


class MedicalImagingHandle:
    """The handle `mock_medical_imaging` gives is bound to its `starts`: usable while one is active,
    MockStoppedError otherwise. One made directly acts on this process's state at any time."""

    def __init__(self, starts: Starts | None = None) -> None:
        self._check = starts.check if starts is not None else _unchecked
        self.faults = FaultInjector(self._check)

    @property
    def transitions(self) -> transitions.Mode:
        """ "immediate" (default), "manual", or seconds of clock time before in-flight work completes."""
        self._check()
        return transitions.policy.mode

    @transitions.setter
    def transitions(self, mode: transitions.Mode) -> None:
        self._check()
        transitions.policy.mode = transitions.checked_mode(mode)

    @property
    def frame_container(self) -> frames.Container:
        """How GetImageFrame returns HTJ2K frames: "codestream" (default, the raw codestream) or "jph"
        (a JPH file, for clients that read frames with a JP2 file reader)."""
        self._check()
        return frames.container.value

    @frame_container.setter
    def frame_container(self, value: frames.Container) -> None:
        self._check()
        frames.container.value = frames.container.checked(value)

    def advance(self) -> None:
        """Complete everything in flight, in every account and region."""
        self._check()
        for backend in all_backends():
            backend.pending.settle(everything=True)

    def backend(self, region: str | None = None, account_id: str | None = None) -> BackendView:
        """The state of one account and region (default: us-east-1 and moto's account) at this moment,
        as immutable snapshots for assertions (activation/views.py): call again to see later changes."""
        return snapshot(self._live_backend(region, account_id))

    def _live_backend(self, region: str | None, account_id: str | None) -> ImagingBackend:
        """With the work that is due completed, as every call of the service finds it."""
        self._check()
        account_id = account_id or os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
        backend = regional_backend(account_id, region or DEFAULT_REGION)
        backend.settle()
        return backend

    def create_image_set(
        self,
        datastore_id: str,
        datasets: Iterable[DicomSource],
        *,
        region: str | None = None,
        account_id: str | None = None,
        is_primary: bool = True,
    ) -> str:
        """Seed ONE image set holding all `datasets` (pydicom Datasets, Part 10 paths or bytes of one study),
        built exactly as an import builds it. Returns its id.
        Bad input (a path that cannot be read, a file that is not DICOM, a malformed element) raises
        ValueError naming the dataset; a datastore that is unknown or not ACTIVE raises
        `medimaging_mock.ServiceError` with the service's `code` (ResourceNotFoundException,
        ConflictException)."""
        backend = self._live_backend(region, account_id)
        return backend.seed_image_set(datastore_id, datasets, is_primary).image_set_id


handle = MedicalImagingHandle(starts)
