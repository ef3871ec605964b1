"""A property of UpdateImageSetMetadata and CopyImageSet together: whatever sequence of Study-level
updates, instance removals, copies and reverts runs, every image set keeps contiguous versions ("1".."n",
newest first) and every version keeps a valid document with the content the sequence gave it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import boto3
from aws_helpers import metadata
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medimaging_mock import mock_medical_imaging
from medimaging_mock.samples import generated_study

Layout = dict[str, tuple[str, ...]]  # series UID -> SOP instance UIDs, in a deterministic order
DESCRIPTIONS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ^-", min_size=1, max_size=64)


@dataclass
class Expected:
    """What every version of one image set should hold: its layout and its StudyDescription."""

    is_primary: bool
    versions: list[tuple[Layout, str]] = field(default_factory=list)

    @property
    def latest(self) -> str:
        return str(len(self.versions))


def update(client, ds, is_id, version, **dicom_updates) -> None:
    blobs = {name: json.dumps(blob) for name, blob in dicom_updates.items()}
    client.update_image_set_metadata(
        datastoreId=ds,
        imageSetId=is_id,
        latestVersionId=version,
        updateImageSetMetadataUpdates={"DICOMUpdates": blobs},
    )


def layout_of(document: dict) -> Layout:
    return {uid: tuple(series["Instances"]) for uid, series in document["Study"]["Series"].items()}


def as_sets(layout: Layout) -> dict[str, frozenset[str]]:
    return {uid: frozenset(sops) for uid, sops in layout.items()}


def pairs(layout: Layout) -> list[tuple[str, str]]:
    """(series UID, SOP UID) in the layout's order: draws must not depend on the random UIDs' order."""
    return [(uid, sop) for uid, sops in layout.items() for sop in sops]


def assert_valid(document: dict) -> None:
    assert document["SchemaVersion"] == "1.1"
    assert document["Study"]["DICOM"]["StudyInstanceUID"]
    for uid, series in document["Study"]["Series"].items():
        assert series["DICOM"]["SeriesInstanceUID"] == uid
        assert series["Instances"], f"series {uid} is empty"
        for sop, instance in series["Instances"].items():
            assert instance["DICOM"]["SOPInstanceUID"] == sop


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), steps=st.integers(1, 20))
def test_revisions_keep_versions_contiguous_and_documents_valid(data, steps):
    with mock_medical_imaging() as mi:
        client = boto3.client("medical-imaging", region_name="us-east-1")
        ds = client.create_datastore(datastoreName="revisions")["datastoreId"]
        client.get_datastore(datastoreId=ds)
        datasets = generated_study(series=2, instances_per_series=3, size=4)
        primary = mi.create_image_set(ds, datasets, is_primary=True)
        first = metadata(client, ds, primary, "1")
        expected = {
            primary: Expected(True, [(layout_of(first), first["Study"]["DICOM"]["StudyDescription"])])
        }

        def copy(source: str, chosen: list[tuple[str, str]]) -> None:
            selection: dict[str, dict] = {}
            for uid, sop in chosen:
                selection.setdefault(uid, {"Instances": {}})["Instances"][sop] = {}
            response = client.copy_image_set(
                datastoreId=ds,
                sourceImageSetId=source,
                copyImageSetInformation={
                    "sourceImageSet": {
                        "latestVersionId": expected[source].latest,
                        "DICOMCopies": {
                            "copiableAttributes": json.dumps(
                                {"SchemaVersion": "1.1", "Study": {"Series": selection}}
                            )
                        },
                    }
                },
            )
            layout: Layout = {}
            for uid, sop in chosen:
                layout[uid] = (*layout.get(uid, ()), sop)
            description = expected[source].versions[-1][1]
            new_id = response["destinationImageSetProperties"]["imageSetId"]
            expected[new_id] = Expected(False, [(layout, description)])

        copy(primary, pairs(expected[primary].versions[-1][0]))

        for _ in range(steps):
            editable = [is_id for is_id, e in expected.items() if not e.is_primary]
            target = data.draw(st.sampled_from(editable), label="image set")
            model = expected[target]
            layout, description = model.versions[-1]
            choices = ["update", "copy"]
            if len(pairs(layout)) > 1:
                choices.append("remove")
            if len(model.versions) > 1:
                choices.append("revert")
            action = data.draw(st.sampled_from(choices), label="action")

            if action == "update":
                new_description = data.draw(DESCRIPTIONS, label="StudyDescription")
                update(
                    client,
                    ds,
                    target,
                    model.latest,
                    updatableAttributes={
                        "SchemaVersion": 1.1,
                        "Study": {"DICOM": {"StudyDescription": new_description}},
                    },
                )
                model.versions.append((layout, new_description))
            elif action == "remove":
                uid, sop = data.draw(st.sampled_from(pairs(layout)), label="instance")
                removal = {"SchemaVersion": 1.1, "Study": {"Series": {uid: {"Instances": {sop: {}}}}}}
                update(client, ds, target, model.latest, removableAttributes=removal)
                remaining = {**layout, uid: tuple(s for s in layout[uid] if s != sop)}
                model.versions.append(({u: s for u, s in remaining.items() if s}, description))
            elif action == "copy":
                source = data.draw(st.sampled_from(list(expected)), label="copy source")
                available = pairs(expected[source].versions[-1][0])
                chosen = data.draw(
                    st.lists(st.sampled_from(available), min_size=1, unique=True), label="copied instances"
                )
                copy(source, [pair for pair in available if pair in chosen])
            else:
                to = data.draw(st.integers(1, len(model.versions) - 1), label="revert to")
                client.update_image_set_metadata(
                    datastoreId=ds,
                    imageSetId=target,
                    latestVersionId=model.latest,
                    updateImageSetMetadataUpdates={"revertToVersionId": str(to)},
                )
                model.versions.append(model.versions[to - 1])

        for is_id, model in expected.items():
            listed = client.list_image_set_versions(datastoreId=ds, imageSetId=is_id)[
                "imageSetPropertiesList"
            ]
            numbers = [str(n) for n in range(len(model.versions), 0, -1)]
            assert [item["versionId"] for item in listed] == numbers
            assert all(item["imageSetState"] == "ACTIVE" for item in listed)
            assert not [item for item in listed if item["ImageSetWorkflowStatus"].endswith("FAILED")]
            for number, (layout, description) in enumerate(model.versions, start=1):
                document = metadata(client, ds, is_id, str(number))
                assert_valid(document)
                assert document["ImageSetID"] == is_id
                assert as_sets(layout_of(document)) == as_sets(layout), f"{is_id} version {number}"
                assert document["Study"]["DICOM"]["StudyDescription"] == description
                assert document["Study"]["DICOM"]["StudyInstanceUID"] == datasets[0].StudyInstanceUID
