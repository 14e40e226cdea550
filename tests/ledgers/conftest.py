"""The ledgers' tests use the workflow's reviewing town (tests/workflow/conftest.py)."""

import io

import pytest
from openpyxl import load_workbook

from tests.workflow.conftest import (  # noqa: F401
    _fresh_rate_limits,
    _media,
    _shared_xiqiao,
    xiqiao,
)


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def upload(data: bytes, name: str = "ledger.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def november(request):
    """The town's November period (its reports due in December)."""
    return request.getfixturevalue("xiqiao").periods[10]
