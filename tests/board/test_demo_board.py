"""The board's part of the demo, built from the real Surrey data (slow: loads the whole demo once)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnership.board.models import Decision, Kpi, KpiValue, Meeting, MeetingPack, Strategy
from partnership.models import Role
from tests.conftest import client_for
from tests.partnership.test_demo import demo  # noqa: F401 - the module-scoped demo fixture

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_strategy_kpis_from_the_data_meetings_and_a_pack(demo):  # noqa: F811
    p = demo.partnership
    strategy = Strategy.objects.get(partnership=p, current=True)
    assert strategy.priorities.filter(retired_at__isnull=True).count() == 3
    ks2 = Kpi.objects.get(partnership=p, library_code="ks2_rwm_la")
    values = list(ks2.values.order_by("period"))
    assert len(values) >= 2 and all(v.source == KpiValue.Source.IMPORT for v in values)
    assert all(v.comparator_value is not None for v in values)  # England, from the same files
    assert Kpi.objects.get(partnership=p, library_code="persistent_absence").values.exists()
    assert Kpi.objects.get(partnership=p, library_code="categories_3_4_share").values.get().source == "run"
    assert not Kpi.objects.get(
        partnership=p, library_code="inspection_legacy_good_share"
    ).values.exists()  # no Ofsted rows
    held = Meeting.objects.filter(partnership=p, state=Meeting.State.HELD)
    assert held.count() == 2
    assert Decision.objects.filter(meeting__in=held).count() >= 2
    assert Decision.objects.filter(meeting__in=held, categorisation_round__isnull=False).count() == 1
    pack = MeetingPack.objects.get(partnership=p, state=MeetingPack.State.SUCCEEDED)
    assert pack.page_count >= 5 and bytes(pack.pdf).startswith(b"%PDF")
    assert "Board: " in demo.output and "meeting pack" in demo.output
    print("\n".join(line for line in demo.output.splitlines() if line.startswith("Board")))
    print(f"pack: {pack.page_count} pages in {pack.build_seconds} s")
    for row in Kpi.objects.filter(partnership=p).order_by("pk"):
        print(
            row.library_code or "manual", [(v.period, round(v.value, 1), v.rag) for v in row.values.order_by("period")]
        )


def test_demo_board_pages_answer_for_each_role(demo):  # noqa: F811
    from partnership.models import Membership

    for role in (Role.OFFICER, Role.BOARD_MEMBER, Role.HEADTEACHER):
        membership = (
            Membership.objects.filter(partnership=demo.partnership, roles__contains=[role]).order_by("pk").first()
        )
        client = client_for(membership.user)
        for name in ("board:dashboard", "board:strategy", "board:scorecard", "board:meeting_list"):
            assert client.get(reverse(name)).status_code == 200, (role, name)
