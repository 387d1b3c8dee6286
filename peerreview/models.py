"""Peer review: the cycle, findings, reports and actions (to come)."""
