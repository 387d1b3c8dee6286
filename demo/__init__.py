"""Development-only: the demo partnership builder, its commands and the benchmarks.

Installed only when ``DJANGO_ENV`` is not ``production`` (``partnership/settings.py``), so nothing here (demo
accounts with published passwords, generated benchmark partnerships) can run in production. The product's
packages never import this one; it imports them.

- ``demo.builder``: ``demo_build`` (``manage.py load_demo``), ``demo_totp_codes`` (``manage.py demo_totp``).
- ``demo.context``: ``DemoContext`` and ``DemoStep``, what a feature's demo module receives and provides.
- ``demo.<feature>``: one module per later feature (peer review, brokerage, ...) with a step the builder runs.
- ``demo.benchmarks``: the generated England-sized data sets and ``manage.py bench``.
"""
