"""Tags on datastores and image sets, kept in moto's TaggingService."""

from __future__ import annotations

import threading

from moto.utilities.tagging_service import TaggingService

from medimaging_mock.domain.errors import ValidationException

MAX_TAGS_PER_RESOURCE = 50


class Tags:
    def __init__(self) -> None:
        self._lock = threading.RLock()  # moto's TaggingService is a plain dict: read under the lock too
        self._service = TaggingService()

    @staticmethod
    def check_new(tags: dict[str, str], existing: dict[str, str]) -> None:
        """Refuse an empty tag map, or one that would leave a resource with more than 50 tags."""
        if not tags:
            raise ValidationException(
                "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1"
            )
        total = len(existing.keys() | tags.keys())
        if total > MAX_TAGS_PER_RESOURCE:
            raise ValidationException(
                f"A resource can have at most {MAX_TAGS_PER_RESOURCE} tags; this request would leave {total}"
            )

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        with self._lock:
            self.check_new(tags, self.of(arn))
            self._service.tag_resource(arn, TaggingService.convert_dict_to_tags_input(tags))

    def untag(self, arn: str, keys: list[str]) -> None:
        with self._lock:
            self._service.untag_resource_using_names(arn, keys)

    def of(self, arn: str) -> dict[str, str]:
        with self._lock:
            return self._service.get_tag_dict_for_resource(arn)

    def forget(self, arn: str) -> None:
        with self._lock:
            self._service.delete_all_tags_for_resource(arn)
