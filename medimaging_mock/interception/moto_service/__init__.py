"""The package moto imports as `moto.medicalimaging`: a BackendDict plus urls, as moto's own services have."""

from medimaging_mock.interception.moto_service.models import medicalimaging_backends, regional_backend

__all__ = ["medicalimaging_backends", "regional_backend"]
