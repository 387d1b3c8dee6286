"""Small template helpers; display logic lives in presenters, these only format."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils.html import format_html

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


@register.simple_tag
def nav_current(path: str, href: str, section: str = "", exact: bool = False, *excepts: str) -> str:
    """The ``aria-current`` value of a service-navigation item: "page" on the item's own page, "true" anywhere
    else in its section (``section``, a path prefix, defaults to ``href``; e.g. "/risk/" for Risk, whose link goes
    to /risk/register/), "" outside it or under one of ``excepts`` (sections nested in its path)."""
    if not href:
        return ""
    if path == href:
        return "page"
    if exact:
        return ""
    root = section or href
    if not path.startswith(root) or any(e and path.startswith(e) for e in excepts):
        return ""
    return "true"


@register.simple_tag
def nav_item(path: str, href: str, text: str, section: str = "", exact: bool = False, *excepts: str) -> str:
    """One item of the GOV.UK service navigation, current (``nav_current``) or not: written here rather than by an
    included template per item, a tenth of every page's rendering (#15)."""
    current = nav_current(path, href, section, exact, *excepts)
    if current:
        return format_html(
            '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
            '<a class="govuk-service-navigation__link" href="{}" aria-current="{}">'
            '<strong class="govuk-service-navigation__active-fallback">{}</strong></a></li>',
            href,
            current,
            text,
        )
    return format_html(
        '<li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" href="{}">{}</a></li>',
        href,
        text,
    )


@register.filter
def url_section(href: str) -> str:
    """The first segment of a path ("/risk/register/" → "/risk/"): a section's prefix for ``nav_current``."""
    first = (href or "").strip("/").split("/", 1)[0]
    return f"/{first}/" if first else "/"


@register.filter
def attr(obj, name: str):
    """``getattr(obj, name)`` or None: a value another app annotated on a row (e.g. a schools-list column)."""
    return getattr(obj, name, None)
