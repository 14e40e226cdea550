"""A write naming a field the resource does not have is refused, by name (issue 15, finding 8).

Silently ignoring it hid clients' typos ("vaule") as successful writes that
stored nothing. Read-only fields (id, version, …) are known fields: a
client may send back what it read.
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError


class RejectUnknownFieldsMixin:
    """For serializers: a 400 with one error per field the serializer does not have."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)
