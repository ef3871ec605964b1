"""moto's view of the service: one BaseBackend per account and region, reset by moto's own machinery.

The module must be called `models` (moto derives `urls` from it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from moto.core.base_backend import BackendDict, BaseBackend

if TYPE_CHECKING:
    from medimaging_mock.domain.backend import ImagingBackend

# Where the service runs (AWS HealthImaging endpoints and quotas); any other region the client names is
# served too, added on first use.
DOCUMENTED_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-west-2", "ap-southeast-2"]


class MedicalImagingBackend(BaseBackend):
    def __init__(self, region_name: str, account_id: str):
        from medimaging_mock.domain.backend import ImagingBackend  # on first use, not at package import

        super().__init__(region_name, account_id)
        self.imaging = ImagingBackend(account_id, region_name)


medicalimaging_backends = BackendDict(
    MedicalImagingBackend, "medical-imaging", use_boto3_regions=False, additional_regions=DOCUMENTED_REGIONS
)


def regional_backend(account_id: str, region: str) -> ImagingBackend:
    """Every request asks this. Once the backend exists it is a plain read of moto's own dicts, which moto's
    reset keeps (it resets each backend in place); only the first request of an account or region takes
    BackendDict's lock to create it."""
    account = dict.get(medicalimaging_backends, account_id)
    regional = None if account is None else dict.get(account, region)
    if regional is None:
        account = medicalimaging_backends[account_id]
        if region not in account:
            account.regions.append(region)
        regional = account[region]
    return regional.imaging


def all_backends() -> list[ImagingBackend]:
    return [
        regional.imaging
        for account in list(medicalimaging_backends.values())
        for regional in list(account.values())  # snapshots: another thread may add a region meanwhile
    ]
