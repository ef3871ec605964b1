"""Which DICOM elements HealthImaging keeps at the Patient, Study and Series levels of an image set's
metadata (Developer Guide, "Metadata normalization"); every other element is instance level."""

PATIENT_TAGS: frozenset[int] = frozenset(
    {
        # Patient Module Elements
        0x00100010,  # Patient's Name
        0x00100020,  # Patient ID
        # Issuer of Patient ID Macro Elements
        0x00100021,  # Issuer of Patient ID
        0x00100024,  # Issuer of Patient ID Qualifiers Sequence
        0x00100022,  # Type of Patient ID
        0x00100030,  # Patient's Birth Date
        0x00100033,  # Patient's Birth Date in Alternative Calendar
        0x00100034,  # Patient's Death Date in Alternative Calendar
        0x00100035,  # Patient's Alternative Calendar Attribute
        0x00100040,  # Patient's Sex
        0x00101100,  # Referenced Patient Photo Sequence
        0x00100200,  # Quality Control Subject
        0x00081120,  # Referenced Patient Sequence
        0x00100032,  # Patient's Birth Time
        0x00101002,  # Other Patient IDs Sequence
        0x00101001,  # Other Patient Names
        0x00102160,  # Ethnic Group
        0x00104000,  # Patient Comments
        0x00102201,  # Patient Species Description
        0x00102202,  # Patient Species Code Sequence Attribute
        0x00102292,  # Patient Breed Description
        0x00102293,  # Patient Breed Code Sequence
        0x00102294,  # Breed Registration Sequence Attribute
        0x00100212,  # Strain Description
        0x00100213,  # Strain Nomenclature Attribute
        0x00100219,  # Strain Code Sequence
        0x00100218,  # Strain Additional Information Attribute
        0x00100216,  # Strain Stock Sequence
        0x00100221,  # Genetic Modifications Sequence Attribute
        0x00102297,  # Responsible Person
        0x00102298,  # Responsible Person Role Attribute
        0x00102299,  # Responsible Organization
        0x00120062,  # Patient Identity Removed
        0x00120063,  # De-identification Method
        0x00120064,  # De-identification Method Code Sequence
        # Patient Group Macro Elements
        0x00100026,  # Source Patient Group Identification Sequence
        0x00100027,  # Group of Patients Identification Sequence
        # Clinical Trial Subject Module
        0x00120010,  # Clinical Trial Sponsor Name
        0x00120020,  # Clinical Trial Protocol ID
        0x00120021,  # Clinical Trial Protocol Name Attribute
        0x00120030,  # Clinical Trial Site ID
        0x00120031,  # Clinical Trial Site Name
        0x00120040,  # Clinical Trial Subject ID
        0x00120042,  # Clinical Trial Subject Reading ID
        0x00120081,  # Clinical Trial Protocol Ethics Committee Name
        0x00120082,  # Clinical Trial Protocol Ethics Committee Approval Number
    }
)

STUDY_TAGS: frozenset[int] = frozenset(
    {
        # General Study Module
        0x0020000D,  # Study Instance UID
        0x00080020,  # Study Date
        0x00080030,  # Study Time
        0x00080090,  # Referring Physician's Name
        0x00080096,  # Referring Physician Identification Sequence
        0x0008009C,  # Consulting Physician's Name
        0x0008009D,  # Consulting Physician Identification Sequence
        0x00200010,  # Study ID
        0x00080050,  # Accession Number
        0x00080051,  # Issuer of Accession Number Sequence
        0x00081030,  # Study Description
        0x00081048,  # Physician(s) of Record
        0x00081049,  # Physician(s) of Record Identification Sequence
        0x00081060,  # Name of Physician(s) Reading Study
        0x00081062,  # Physician(s) Reading Study Identification Sequence
        0x00321033,  # Requesting Service
        0x00321034,  # Requesting Service Code Sequence
        0x00081110,  # Referenced Study Sequence
        0x00081032,  # Procedure Code Sequence
        0x00401012,  # Reason For Performed Procedure Code Sequence
        # Patient Study Module
        0x00081080,  # Admitting Diagnoses Description
        0x00081084,  # Admitting Diagnoses Code Sequence
        0x00101010,  # Patient's Age
        0x00101020,  # Patient's Size
        0x00101030,  # Patient's Weight
        0x00101022,  # Patient's Body Mass Index
        0x00101023,  # Measured AP Dimension
        0x00101024,  # Measured Lateral Dimension
        0x00101021,  # Patient's Size Code Sequence
        0x00102000,  # Medical Alerts
        0x00102110,  # Allergies
        0x001021A0,  # Smoking Status
        0x001021C0,  # Pregnancy Status
        0x001021D0,  # Last Menstrual Date
        0x00380500,  # Patient State
        0x00102180,  # Occupation
        0x001021B0,  # Additional Patient History
        0x00380010,  # Admission ID
        0x00380014,  # Issuer of Admission ID Sequence
        0x00321066,  # Reason for Visit
        0x00321067,  # Reason for Visit Code Sequence
        0x00380060,  # Service Episode ID
        0x00380064,  # Issuer of Service Episode ID Sequence
        0x00380062,  # Service Episode Description
        0x00102203,  # Patient's Sex Neutered
        # Clinical Trial Study Module
        0x00120050,  # Clinical Trial Time Point ID
        0x00120051,  # Clinical Trial Time Point Description
        0x00120052,  # Longitudinal Temporal Offset from Event
        0x00120053,  # Longitudinal Temporal Event Type
        0x00120083,  # Consent for Clinical Trial Use Sequence
    }
)

SERIES_TAGS: frozenset[int] = frozenset(
    {
        # General Series Module
        0x00080060,  # Modality
        0x0020000E,  # Series Instance UID
        0x00200011,  # Series Number
        0x00200060,  # Laterality
        0x00080021,  # Series Date
        0x00080031,  # Series Time
        0x00081050,  # Performing Physician's Name
        0x00081052,  # Performing Physician Identification Sequence
        0x00181030,  # Protocol Name
        0x0008103E,  # Series Description
        0x0008103F,  # Series Description Code Sequence
        0x00081070,  # Operators' Name
        0x00081072,  # Operator Identification Sequence
        0x00081111,  # Referenced Performed Procedure Step Sequence
        0x00081250,  # Related Series Sequence
        0x00180015,  # Body Part Examined
        0x00185100,  # Patient Position
        0x00280108,  # Smallest Pixel Value in Series
        0x00280109,  # Largest Pixel Value in Series
        0x00400275,  # Request Attributes Sequence
        0x00102210,  # Anatomical Orientation Type
        0x300A0700,  # Treatment Session UID
        # Clinical Trial Series Module
        0x00120060,  # Clinical Trial Coordinating Center Name
        0x00120071,  # Clinical Trial Series ID
        0x00120072,  # Clinical Trial Series Description
        # General Equipment Module
        0x00080070,  # Manufacturer
        0x00080080,  # Institution Name
        0x00080081,  # Institution Address
        0x00081010,  # Station Name
        0x00081040,  # Institutional Department Name
        0x00081041,  # Institutional Department Type Code Sequence
        0x00081090,  # Manufacturer's Model Name
        0x0018100B,  # Manufacturer's Device Class UID
        0x00181000,  # Device Serial Number
        0x00181020,  # Software Versions
        0x00181008,  # Gantry ID
        0x0018100A,  # UDI Sequence
        0x00181002,  # Device UID
        0x00181050,  # Spatial Resolution
        0x00181200,  # Date of Last Calibration
        0x00181201,  # Time of Last Calibration
        0x00280120,  # Pixel Padding Value
        # Frame of Reference Module
        0x00200052,  # Frame of Reference UID
        0x00201040,  # Position Reference Indicator
    }
)


def level_of(tag: int) -> str:
    """ "patient", "study", "series" or "instance": where an element lives in the document."""
    if tag in PATIENT_TAGS:
        return "patient"
    if tag in STUDY_TAGS:
        return "study"
    if tag in SERIES_TAGS:
        return "series"
    return "instance"
