"""A demo ward for trying the registry: ``cadre demo`` and ``make run`` build it."""

from registry.demo.generator import build_demo, registry_is_empty

__all__ = ["build_demo", "registry_is_empty"]
