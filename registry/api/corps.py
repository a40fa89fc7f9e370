"""The corps report (the review of the whole body of cadres as at a date)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
