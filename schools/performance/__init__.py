"""Performance data: KS2 and KS4 results, absence, census and Ofsted inspections, imported from the DfE's files.

Public entry points (the rest of the package is an implementation detail):

* ``performance_import(partnership=, kind=, year=, path=, job=None, on_progress=None) -> ImportResult``
  (``schools.performance.service``): the import; uploads go through ``schools.importers.import_job_create`` with a
  ``kind`` and ``year`` and run on a worker like GIAS imports.
* ``performance_imported(partnership=, school_ids=)`` (``schools.performance.signals``): the hook called after a
  successful import commits; the risk engine will hang its recomputation on it.
* ``academic_year_parse("2018-2019") -> 2019`` (``schools.performance.years``).

Storage (``schools.models``): ``PerformanceValue`` (one row per partnership, URN, year, measure code),
``AreaAverage`` and ``Inspection``, as docs/design/risk-data-contract.md describes; the column → code maps of
every kind and era are in ``schools.performance.layouts``.
"""
