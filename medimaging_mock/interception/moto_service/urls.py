"""Hosts and paths moto routes to this service; the wire layer does the per-operation routing."""

from medimaging_mock.interception.dispatch import moto_handler

url_bases = [
    r"https?://(runtime-)?medical-imaging(-fips)?\.(.+)\.amazonaws\.com",
    r"https?://(runtime-)?medical-imaging(-fips)?\.(.+)\.api\.aws",
]

# Every path, so the wire layer answers each one as it does in process. `[\s\S]`, not `.`: moto's server
# routes on the percent-decoded path, where an id may end in a newline.
url_paths = {r"{0}/(?P<path>[\s\S]*)$": moto_handler}
