"""A moto-style mock of AWS HealthImaging (the boto3 client `medical-imaging`).

Importing the package plugs the service into moto, so plain `moto.mock_aws` serves it too.

`ServiceError` is what the handle raises when the service itself would refuse (for example
`mi.create_image_set` on a datastore that is not ACTIVE, or unknown): `.code` is the modelled error name
(`ConflictException`, `ResourceNotFoundException`, ...) and `.message` says why. Input the handle cannot use
raises ValueError, and using the handle once its mock has stopped raises `MockStoppedError`.
"""

from medimaging_mock.activation.handle import MedicalImagingHandle, MockStoppedError
from medimaging_mock.activation.mock import MedicalImagingMock, mock_medical_imaging
from medimaging_mock.domain.errors import ServiceError
from medimaging_mock.interception.registration import register

__version__ = "0.1.0"
__all__ = [
    "MedicalImagingHandle",
    "MedicalImagingMock",
    "MockStoppedError",
    "ServiceError",
    "mock_medical_imaging",
]

register()
