"""The strategic board (label ``board``): the board as a body, the strategy, KPIs, dashboards and meeting packs."""
