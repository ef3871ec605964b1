"""A moto-style mock of AWS HealthImaging (the boto3 client `medical-imaging`).

Importing the package plugs the service into moto, so plain `moto.mock_aws` serves it too.
"""

from medimaging_mock.activation.handle import MedicalImagingHandle
from medimaging_mock.activation.mock import MedicalImagingMock, mock_medical_imaging
from medimaging_mock.interception.registration import register

__version__ = "0.1.0"
__all__ = ["MedicalImagingHandle", "MedicalImagingMock", "mock_medical_imaging"]

register()
