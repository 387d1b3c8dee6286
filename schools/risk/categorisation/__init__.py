"""People decide: categorisation rounds, from a risk run's proposals to a published, agreed list.

DOMAIN "Then people decide": an officer may move a school one step with a reason code and rationale; bigger
moves need the moderation panel; the board agrees the list; head and chair may reply within 10 school days.
``services`` writes, ``selectors`` reads, ``views`` are the pages; docs/adr/0012-categorisation-rounds.md.
"""
