"""Small template helpers; display logic lives in presenters, these only format."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.forms import BoundField
from django.urls import reverse

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
def humanise(key: str) -> str:
    """``"skipped_other_la"`` → ``"Skipped other la"``."""
    return str(key).replace("_", " ").capitalize()


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(*pairs: str, home: bool = True) -> dict:
    """GOV.UK breadcrumbs, written once: ``{% breadcrumbs "Risk runs" "risk:run_list" round.name round_url %}``.

    Arguments go in pairs, text then target; a target is a URL name without arguments (``risk:run_list``) or a URL
    (``{% url ... as round_url %}`` first for one with arguments). A pair with empty text is left out, so a crumb
    can depend on a permission (``can.VIEW_REGISTER|yesno:"Schools,"``). Home comes first unless ``home=False``.
    """
    if len(pairs) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes pairs: text, then a URL name or URL")
    crumbs = [("Home", reverse("partnership:home"))] if home else []
    for text, target in zip(pairs[::2], pairs[1::2], strict=True):
        if text:
            crumbs.append((str(text), target if "/" in str(target) else reverse(str(target))))
    return {"crumbs": crumbs}
