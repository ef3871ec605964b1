"""One exception class per error the service model declares. Raised anywhere below the wire layer,
serialised once by it (the HTTP status comes from the model, not from here)."""

from __future__ import annotations


class ServiceError(Exception):
    """An error the service answers with; `code` is the modelled error name."""

    code = "ServiceError"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationException(ServiceError):
    code = "ValidationException"


class ResourceNotFoundException(ServiceError):
    code = "ResourceNotFoundException"


class ConflictException(ServiceError):
    code = "ConflictException"


class AccessDeniedException(ServiceError):
    code = "AccessDeniedException"


class ThrottlingException(ServiceError):
    code = "ThrottlingException"


class InternalServerException(ServiceError):
    code = "InternalServerException"


class ServiceQuotaExceededException(ServiceError):
    code = "ServiceQuotaExceededException"


class NotAcceptableException(ServiceError):
    code = "NotAcceptableException"


class BadRequestException(ServiceError):
    code = "BadRequestException"


class OperationNotImplemented(ServiceError):
    """Not a service error: the mock does not serve this operation yet."""

    code = "NotImplemented"


MODELLED_ERRORS: dict[str, type[ServiceError]] = {
    cls.code: cls for cls in ServiceError.__subclasses__() if cls is not OperationNotImplemented
}
