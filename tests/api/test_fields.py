"""The API's fast fields write numbers and times exactly as DRF's own fields do."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from tracker.api.serializers import FastDateTimeField, PercentField, QuantityField


@pytest.mark.parametrize(
    "value",
    ["0", "0.0000", "-1.5", "2500", "1641.72", "1E+2", "0.00005", "12345678901234.5678", "-0"],
)
def test_numbers_are_written_as_drf_writes_them(value):
    number = Decimal(value)
    quantity = serializers.DecimalField(max_digits=20, decimal_places=4)
    percent = serializers.DecimalField(max_digits=None, decimal_places=2)
    assert QuantityField().to_representation(number) == quantity.to_representation(number)
    assert PercentField().to_representation(number) == percent.to_representation(number)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_times_are_written_as_drf_writes_them(zone):
    field = serializers.DateTimeField()
    with timezone.override(zone):
        for value in [
            datetime.datetime(2024, 6, 30, 16, 0, 0, 123456, tzinfo=datetime.UTC),
            datetime.datetime(2024, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
        ]:
            assert FastDateTimeField().to_representation(value) == field.to_representation(value)
