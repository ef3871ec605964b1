"""`mock_medical_imaging`: a decorator (function or class), a context manager, or start()/stop().

It starts moto's `mock_aws` underneath, so S3, IAM and the rest of moto are served too, nesting is safe
and state is fresh at every outermost start, exactly as with moto.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, overload

from moto import mock_aws
from moto.core.models import MockAWS

from medimaging_mock.activation.handle import MedicalImagingHandle, handle, starts

T = TypeVar("T")


class MedicalImagingMock:
    def __init__(self, config: dict[str, Any] | None = None):
        self._aws = mock_aws(config=config)

    def start(self, reset: bool = True) -> MedicalImagingHandle:
        self._aws.start(reset=reset)
        starts.started()
        return handle

    def stop(self, remove_data: bool = True) -> None:
        """The handle raises MockStoppedError once no start is left active."""
        self._aws.stop(remove_data=remove_data)
        starts.stopped()

    def __enter__(self) -> MedicalImagingHandle:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __call__(self, func: T, reset: bool = True, remove_data: bool = True) -> T:
        if inspect.isclass(func):
            return self._decorate_class(func)
        return self._decorate_callable(func, reset, remove_data)

    # moto's rules for test classes: setUp / setup_method reset the state, test methods run inside the mock.
    _decorate_class = MockAWS._decorate_class

    def _decorate_callable(self, func: Callable[..., Any], reset: bool, remove_data: bool) -> Any:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.start(reset=reset)
            try:
                return func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        return wrapper


@overload
def mock_medical_imaging(
    func: None = None, *, config: dict[str, Any] | None = None
) -> MedicalImagingMock: ...
@overload
def mock_medical_imaging(func: T, *, config: dict[str, Any] | None = None) -> T: ...
def mock_medical_imaging(func: Any = None, *, config: dict[str, Any] | None = None) -> Any:
    """`@mock_medical_imaging`, `with mock_medical_imaging() as mi:`, or `mock_medical_imaging().start()`.

    `config` is passed to moto's `mock_aws`.
    """
    mock = MedicalImagingMock(config)
    return mock if func is None else mock(func)
