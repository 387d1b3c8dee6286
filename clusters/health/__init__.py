"""Cluster health checks: versioned frameworks, the rating → consensus → moderation → publication cycle,
frozen indicators, actions and meeting attendance. A sub-app of ``clusters`` with its own label
(``cluster_health``) and migrations."""
