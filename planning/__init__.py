"""plan-tracker's project package: settings, URLs, the WSGI/ASGI entry points and the command line."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("plan-tracker")
except PackageNotFoundError:  # a checkout that was never installed (`pip install -e .`)
    __version__ = "0+unknown"
