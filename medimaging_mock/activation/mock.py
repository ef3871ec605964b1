"""`mock_medical_imaging`: a decorator (function or class), a context manager, or start()/stop().

It starts moto's `mock_aws` underneath, so S3, IAM and the rest of moto are served too, nesting is safe
and state is fresh at every outermost start, exactly as with moto.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from moto import mock_aws
from moto.core.models import MockAWS

from medimaging_mock.activation.handle import MedicalImagingHandle, handle, starts

if TYPE_CHECKING:
    from moto.core.config import DefaultConfig

T = TypeVar("T")
C = TypeVar("C", bound=type[Any])
P = ParamSpec("P")
R = TypeVar("R")


class MedicalImagingMock:
    def __init__(self, config: DefaultConfig | None = None):
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

    @overload
    def __call__(self, func: C, reset: bool = True, remove_data: bool = True) -> C: ...
    @overload
    def __call__(
        self, func: Callable[P, R], reset: bool = True, remove_data: bool = True
    ) -> Callable[P, R]: ...
    def __call__(
        self, func: C | Callable[P, R], reset: bool = True, remove_data: bool = True
    ) -> C | Callable[P, R]:
        if isinstance(func, type):
            return self._decorate_class(func)
        return self._decorate_callable(func, reset, remove_data)

    def _decorate_class(self, klass: C) -> C:
        """moto's rules for test classes: setUp / setup_method reset the state, test methods run inside
        the mock. moto's code uses its `self` only to decorate each method (`self(method, ...)`)."""
        MockAWS._decorate_class(self, klass)  # type: ignore[arg-type]  # duck-typed `self`, see above
        return klass  # decorated in place

    def _decorate_callable(self, func: Callable[P, R], reset: bool, remove_data: bool) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            self.start(reset=reset)
            try:
                return func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        return wrapper


@overload
def mock_medical_imaging(func: None = None, *, config: DefaultConfig | None = None) -> MedicalImagingMock: ...
@overload
def mock_medical_imaging(func: T, *, config: DefaultConfig | None = None) -> T: ...
def mock_medical_imaging(func: Any = None, *, config: DefaultConfig | None = None) -> Any:
    """`@mock_medical_imaging`, `with mock_medical_imaging() as mi:`, or `mock_medical_imaging().start()`.

    `config` is passed to moto's `mock_aws`.
    """
    mock = MedicalImagingMock(config)
    return mock if func is None else mock(func)
