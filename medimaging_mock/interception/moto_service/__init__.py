"""The package moto imports as `moto.medicalimaging`: a BackendDict plus urls, as moto's own services have."""

from medimaging_mock.interception.moto_service.models import medicalimaging_backends, regional_backend

MOTO_NAME = "medicalimaging"  # moto's name for the service: the one users pass to service_whitelist

__all__ = ["MOTO_NAME", "medicalimaging_backends", "regional_backend"]
