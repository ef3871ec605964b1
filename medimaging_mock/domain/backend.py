"""Everything HealthImaging keeps for one account in one region, and the rules that span its parts."""

from __future__ import annotations

from collections.abc import Iterable

from medimaging_mock.domain import arns, ingestion
from medimaging_mock.domain.datastores import Datastore, Datastores
from medimaging_mock.domain.errors import ResourceNotFoundException
from medimaging_mock.domain.image_sets import DELETED, ImageSet
from medimaging_mock.domain.imports import ImportJobs
from medimaging_mock.domain.ingestion import DicomSource
from medimaging_mock.domain.tagging import Tags
from medimaging_mock.domain.transitions import PendingWork


class ImagingBackend:
    def __init__(self, account_id: str, region: str):
        self.account_id = account_id
        self.region = region
        self.pending = PendingWork()
        self.datastores = Datastores(region, account_id, self.pending)
        self.tags = Tags()
        self.imports = ImportJobs(account_id, region, self.datastores, self.pending)

    def settle(self) -> None:
        """Complete the in-flight work that is due; every call begins with this."""
        self.pending.settle()

    def create_datastore(
        self,
        client_token: str,
        name: str | None,
        tags: dict[str, str] | None,
        kms_key_arn: str | None,
        lambda_authorizer_arn: str | None,
        lossless_storage_format: str | None,
    ) -> Datastore:
        if tags is not None:
            Tags.check_new(tags, existing={})
        datastore, created = self.datastores.create(
            client_token, name, tags, kms_key_arn, lambda_authorizer_arn, lossless_storage_format
        )
        if created and tags:
            self.tags.tag(datastore.arn, tags)
        return datastore

    def delete_datastore(self, datastore_id: str) -> Datastore:
        return self.datastores.delete(datastore_id, on_removed=lambda gone: self.tags.forget(gone.arn))

    def seed_image_set(self, datastore_id: str, sources: Iterable[DicomSource], is_primary: bool) -> ImageSet:
        datastore = self.datastores.get(datastore_id)
        with datastore.lock:  # from the check to the new image set: a deletion waits, or is refused
            datastore.require_active()
            return ingestion.create_image_set(datastore, sources, is_primary)

    def require_resource(self, arn: str) -> str:
        """The ARN, once it names a datastore or image set that exists here."""
        name = arns.parse(arn)
        if (name.region, name.account_id) != (self.region, self.account_id):
            raise ResourceNotFoundException(f"Resource {arn} does not exist")
        try:
            datastore = self.datastores.get(name.datastore_id)
            if name.image_set_id is not None and datastore.image_sets.get(name.image_set_id).state == DELETED:
                raise ResourceNotFoundException("deleted")
        except ResourceNotFoundException:
            raise ResourceNotFoundException(f"Resource {arn} does not exist") from None
        return arn
