"""``pk_url``: one ``reverse`` for a link on every row of a long list gives what reversing per row gives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnership.presenters import pk_url


@pytest.mark.parametrize("name", ["cluster_health:cluster", "risk:run_detail", "clusters:detail"])
def test_pk_url_is_reverse_for_every_pk(name):
    href = pk_url(name)
    for pk in (1, 7, 42, 2147483646, 2147483647):
        assert href(pk) == reverse(name, args=[pk])


def test_pk_url_takes_only_whole_numbers():
    with pytest.raises(ValueError):
        pk_url("cluster_health:cluster")("1/../../admin")
