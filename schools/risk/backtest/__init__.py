"""Backtesting the risk categorisation (issue #3, item 7; docs/adr/0011-risk-backtest.md).

``calculations`` is pure pandas (outcomes, baselines, ROC AUC, shares); ``services`` loads the data as it was
known at an earlier year, runs the engine and stores a ``RiskBacktest``; ``selectors`` and ``presenters`` serve
the pages.
"""
