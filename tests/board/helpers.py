"""The board's objects in both partnerships of the ``world`` fixture, made once (for the matrix and page tests)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from partnership.models import Partnership
from tests.factories import UserFactory


def board_world(w: SimpleNamespace) -> SimpleNamespace:
    """A held meeting with an agenda, a public and a confidential paper, a decision, an action and a declaration;
    a strategy with a priority, a deliverable and a manual KPI with a value; a pack; a draft round to agree. The
    same in ``w.other`` (``other_*``) for the 404 checks."""
    if hasattr(w, "board"):
        return w.board
    from partnership.board import services
    from partnership.board.models import MeetingPack
    from tests.risk.helpers import rounds_world

    officer = UserFactory(email="board-officer@example.test")
    today = dt.date.today()
    b = SimpleNamespace()

    def build(partnership: Partnership, member, school) -> dict:
        services.board_save(
            partnership=partnership,
            name="Test board",
            kind="strategic",
            terms_of_reference="Purpose.",
            quorum=3,
            user=officer,
        )
        meeting = services.meeting_create(
            partnership=partnership, title="Spring board", meets_on=today, location="County Hall", user=officer
        )
        services.meeting_transition(meeting=meeting, to="held", by=officer)
        services.agenda_item_add(meeting=meeting, title="Welcome", presenter="Chair", confidential=False)
        services.agenda_item_add(
            meeting=meeting, title="Schools causing concern", presenter="Officer", confidential=True
        )
        public = services.paper_upload(
            meeting=meeting,
            title="Public paper",
            confidential=False,
            upload=SimpleUploadedFile("public.txt", b"public"),
            user=officer,
        )
        secret = services.paper_upload(
            meeting=meeting,
            title="Confidential paper",
            confidential=True,
            upload=SimpleUploadedFile("secret.txt", b"secret"),
            user=officer,
        )
        decision = services.decision_record(meeting=meeting, text="The board approved the strategy.", user=officer)
        action = services.action_create(
            meeting=meeting, description="Circulate the plan", owner="Officer", due_on=today, user=officer
        )
        declaration = services.declaration_create(
            member=member, kind="governance", interest="Governor", declared_on=today, school=school, user=officer
        )
        strategy = services.strategy_save(
            partnership=partnership,
            title="Strategy 2025 to 2028",
            starts_on=dt.date(2025, 9, 1),
            ends_on=dt.date(2028, 8, 31),
            vision="Every child in a good school.",
            user=officer,
        )
        priority = services.priority_create(
            strategy=strategy,
            title="Reading",
            rationale="KS2 reading is below England.",
            lead="Primary heads",
            user=officer,
        )
        deliverable = services.deliverable_save(
            priority=priority,
            title="Reading network",
            owner="Lead",
            due_on=today,
            status="amber",
            status_reason="Started late",
            user=officer,
        )
        kpi = services.kpi_save(
            partnership=partnership,
            user=officer,
            title="Attendance at network meetings",
            definition="Share attending.",
            polarity="higher",
            unit="percent",
            source="Registers",
            comparator="target",
            priority=priority,
            baseline=None,
            baseline_period="",
            target=80.0,
            target_on=dt.date(2028, 7, 31),
            green_within=0.0,
            amber_within=5.0,
        )
        value = services.kpi_value_record(kpi=kpi, period=2025, value=70.0, note="Registers", user=officer)
        pack = MeetingPack.objects.create(
            partnership=partnership,
            meeting=meeting,
            created_by=officer,
            state="succeeded",
            progress=100,
            pdf=b"%PDF-1.4 test",
            xlsx=b"PK test",
            page_count=1,
            build_seconds=0.1,
        )
        # The open draft round the risk helpers make (one open round per partnership): every helper shares it, so
        # the world can hold the board's and the rounds' fixtures together (the every-page browser run needs both).
        opened = rounds_world(w)
        draft = opened.open if partnership == w.home else opened.other_open
        return dict(
            meeting=meeting,
            public_paper=public,
            paper=secret,
            decision=decision,
            action=action,
            declaration=declaration,
            strategy=strategy,
            priority=priority,
            deliverable=deliverable,
            kpi=kpi,
            value=value,
            pack=pack,
            round=draft,
        )

    for key, obj in build(w.home, w.board_member, w.own_school).items():
        setattr(b, key, obj)
    for key, obj in build(w.other, w.other_board_member, w.other_school).items():
        setattr(b, f"other_{key}", obj)
    w.board = b
    return b
