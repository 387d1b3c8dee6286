from django.apps import AppConfig


class PeerreviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "peerreview"

    def ready(self) -> None:
        """Connect to the kernel's home work queue and give risk its C9 facts (neither imports peer review)."""
        from partnership.selectors import home_work_register
        from peerreview.risk_facts import peer_review_facts
        from peerreview.selectors import home_work_items
        from schools.risk.inputs import intelligence_facts_register

        home_work_register(home_work_items)
        intelligence_facts_register(peer_review_facts)
