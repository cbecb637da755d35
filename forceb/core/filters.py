"""Filters every app's FilterSets share."""

import django_filters
from django import forms


class IdFilter(django_filters.NumberFilter):
    """A foreign key's id: a whole number the database can hold, so that ``?owner_id=1e300`` is a
    400 and not an overflow in the database driver."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
