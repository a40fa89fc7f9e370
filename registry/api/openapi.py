"""The OpenAPI document and the API's own documentation pages."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Shapes the application's OpenAPI document (called once by the factory)."""
