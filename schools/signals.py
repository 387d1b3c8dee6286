"""Events of the register (``schools``) that other apps react to, so the register imports none of its consumers.

``register_data_changed`` is sent after an import's transaction commits (``transaction.on_commit``), with
``partnership`` and ``school_ids`` (the schools whose register facts, performance values or inspections were
created or changed; empty when the file changed nothing) and ``source`` (``"register"`` for a GIAS file,
``"performance"`` for performance data). Receivers connect in their ``AppConfig.ready()``; the risk app queues a
recomputation of categories. It is sent with ``send_robust``: a receiver that fails is logged and never breaks an
import that has already committed.
"""

from __future__ import annotations

from django.dispatch import Signal

register_data_changed = Signal()
