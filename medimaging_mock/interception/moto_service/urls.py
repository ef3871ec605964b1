"""Hosts and paths moto routes to this service (the DICOMweb host too); the wire layer does the
per-operation routing."""

from medimaging_mock.interception import seeding
from medimaging_mock.interception.dispatch import moto_handler

url_bases = [
    r"https?://(runtime-|dicom-)?medical-imaging(-fips)?\.(.+)\.amazonaws\.com",
    r"https?://(runtime-|dicom-)?medical-imaging(-fips)?\.(.+)\.api\.aws",
]

url_paths = {
    # The private route that seeds a running server; first, so that it is matched before every path.
    "{0}" + seeding.PATH + "$": seeding.create_image_set,
    # Every path, so the wire layer answers each one as it does in process. `[\s\S]`, not `.`: moto's server
    # routes on the percent-decoded path, where an id may end in a newline.
    r"{0}/(?P<path>[\s\S]*)$": moto_handler,
}
