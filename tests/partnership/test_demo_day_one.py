"""#14.9 in the real Surrey demo: the officer's school page and schools list, and the head's earlier reply."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from demo.day_one import ANSWER, REPLY
from partnership.models import Membership
from schools.risk.models import CategorisationRound
from tests.conftest import client_for
from tests.partnership.test_demo import demo  # noqa: F401 - the module-scoped demo fixture


def test_day_one_in_the_demo(demo, db):  # noqa: F811
    officer = Membership.objects.get(partnership=demo.partnership, user__email="officer@demo.test")
    head = Membership.objects.get(partnership=demo.partnership, user__email="head@demo.test")
    school = head.school
    client = client_for(officer.user)

    page = client.get(reverse("schools:detail", args=[school.urn])).content.decode()
    assert "Risk category" in page and "Agreed category" in page
    assert f'href="{reverse("risk:school", args=[school.urn])}"' in page
    assert "Results and inspections" in page and "% (England" in page  # real KS2 results, as percentages
    assert 'data-app-chart="chart-school-results-figure"' in page
    assert "Peer reviews" in page

    listing = client.get(reverse("schools:list"), {"category": "3"})
    assert listing.status_code == 200 and listing.context["page_obj"].paginator.count > 0
    assert all(s.category == 3 for s in listing.context["page_obj"])

    annual = CategorisationRound.objects.get(partnership=demo.partnership, kind="annual")
    own = client_for(head.user).get(reverse("risk:own_category")).content.decode()
    assert f"Replies to {annual.name}" in own  # an earlier round: a later in-year review is the current one
    assert escape(REPLY[:40]) in own and escape(ANSWER[:40]) in own
    head_page = client_for(head.user).get(reverse("schools:detail", args=[school.urn])).content.decode()
    assert "Published category" in head_page and "Latest proposal" not in head_page
    assert "day one" in demo.output.lower()
