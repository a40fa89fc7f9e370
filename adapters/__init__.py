"""One package per external system, and what they share (HTTP, errors, simulators).

The adapters take plain settings and return mapped data: they import neither the registry's
config (``registry.config``) nor any of its aggregates (``registry.persons``,
``registry.evaluations``, …). The composition side (``sync/clients.py``) reads the settings
and builds each client from the connection dataclass its adapter declares.

Three leaf modules of ``registry`` are allowed, each importing only the standard library, so
that nothing of the registry's state or configuration comes with them
(``tests/unit/test_adapter_layering.py`` holds the list and checks both points):

- ``registry.dates``: ``PartialDate`` is a value type ("1958", "1958-05"), not an aggregate.
  The mapped data hands birth dates to sync in the registry's own type; a copy here would be
  a second parser of the same text that could drift, and a conversion at every use.
- ``registry.codes``: the national code lists (ethnicity, religion, ranks, qualification
  ladders) are shared reference data the wire models validate against.
- ``registry.errors``: ``AdapterError`` is an ``ExternalSystemError``, so an adapter failure
  that reaches the API renders through the one error handler as a 502.
"""
