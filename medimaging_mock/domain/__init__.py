"""The domain: HealthImaging's state and rules, with no idea it is behind HTTP.

numpy, pydicom, imagecodecs and moto's S3 are imported inside the functions that use them (type-only names
under TYPE_CHECKING): every pytest session of a project with the plugin imports this package (DESIGN §2).
"""
