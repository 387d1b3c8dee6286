"""Brokerage: system leaders, support requests, deployments (to come)."""
