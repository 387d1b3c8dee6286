"""Small template helpers; display logic lives in presenters, these only format."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def widget_type(field: BoundField) -> str:
    """The widget's class name in lower case (``textinput``, ``select``, ...)."""
    return field.field.widget.__class__.__name__.lower()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (``None`` removes a key); ``page`` is reset."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(sorted(params.lists()), doseq=True)


@register.filter
def get_item(mapping: dict, key):
    """``mapping[key]`` or None."""
    return mapping.get(key)


@register.filter
def field_label(name: str) -> str:
    """A School field's verbose name ("head_last_name" → "Head last name")."""
    from django.core.exceptions import FieldDoesNotExist

    from schools.models import School

    try:
        return str(School._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()


@register.filter
def humanise(key: str) -> str:
    """``"skipped_other_la"`` → ``"Skipped other la"``."""
    return str(key).replace("_", " ").capitalize()
