"""Puts the review pages on the application (under ``/``; the API stays under ``/api/v1``)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from registry.config import Settings
from registry.web import (
    account_pages,
    alert_pages,
    auth_pages,
    corps_pages,
    dashboard_pages,
    people_pages,
    person_pages,
    record_edit_pages,
    record_pages,
    report_pages,
)
from registry.web.sessions import load_or_create_secret
from registry.web.state import HERE, WebState


def mount_pages(app: FastAPI, settings: Settings) -> None:
    app.state.web = WebState(settings=settings, secret=load_or_create_secret(settings.keys_dir))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (
        auth_pages,
        account_pages,
        alert_pages,
        dashboard_pages,
        people_pages,
        person_pages,  # before record_pages: /persons/{id}/view is not a record form
        record_pages,
        record_edit_pages,  # after record_pages: /persons/{id}/{key}/new is a form
        report_pages,
        corps_pages,
    ):
        app.include_router(module.router)
