"""Hosts and paths moto routes to this service; the wire layer does the per-operation routing."""

from medimaging_mock.interception.dispatch import moto_handler

url_bases = [
    r"https?://(runtime-)?medical-imaging(-fips)?\.(.+)\.amazonaws\.com",
    r"https?://(runtime-)?medical-imaging(-fips)?\.(.+)\.api\.aws",
]

url_paths = {"{0}/(?P<path>.*)$": moto_handler}
