"""`cadre user create` and `cadre report monthly` on a real SQLite installation, and the
scheduled monthly-report job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from typer.testing import CliRunner

from registry.cli import app
from registry.config import get_settings
from registry.runtime import Runtime
from registry.users.models import User
from registry.users.passwords import verify_password
from registry.users.service import password_change_due
from sync.jobs import report as report_job
from sync.runs import JobRun

PASSWORD = "một mật khẩu dài"


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CADRE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("CADRE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    made = runner.invoke(
        app, ["org", "create", "--code", "CB1", "--name", "Chi bộ 1", "--kind", "party_cell"]
    )
    assert made.exit_code == 0, made.output
    yield tmp_path / "var"
    get_settings.cache_clear()


def test_user_create_reads_the_password_from_stdin_and_stores_only_a_hash(
    installation: Path,
) -> None:
    args = ["user", "create", "--username", "can.bo", "--role", "officer", "--org", "CB1"]
    result = CliRunner().invoke(app, [*args, "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with Runtime(get_settings()).sessions() as session:
        user = session.scalar(sa.select(User).where(User.username == "can.bo"))
        assert user is not None and user.role == "officer"
        assert PASSWORD not in user.password_hash and verify_password(user.password_hash, PASSWORD)
    again = CliRunner().invoke(app, [*args, "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code == 2 and "already taken" in again.output


def test_user_one_time_resets_a_forgotten_password(installation: Path) -> None:
    args = ["user", "create", "--username", "quen.mk", "--role", "admin", "--password-stdin"]
    assert CliRunner().invoke(app, args, input=PASSWORD + "\n").exit_code == 0
    result = CliRunner().invoke(app, ["user", "one-time", "--username", "quen.mk"])
    assert result.exit_code == 0, result.output
    one_time = result.output.strip().splitlines()[-1]
    with Runtime(get_settings()).sessions() as session:
        user = session.scalar(sa.select(User).where(User.username == "quen.mk"))
        assert user is not None and verify_password(user.password_hash, one_time)
        assert not verify_password(user.password_hash, PASSWORD)
        assert password_change_due(session, user.id)
    missing = CliRunner().invoke(app, ["user", "one-time", "--username", "khong.co"])
    assert missing.exit_code == 2 and "not found" in missing.output


def test_user_create_prompts_twice(installation: Path) -> None:
    args = ["user", "create", "--username", "quan.tri", "--role", "admin"]
    result = CliRunner().invoke(app, args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    short = CliRunner().invoke(
        app,
        ["user", "create", "--username", "ngan", "--role", "admin", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 2 and "at least 12" in short.output


def test_report_monthly_writes_the_workbook(installation: Path) -> None:
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    result = CliRunner().invoke(app, ["report", "monthly", "--month", month])
    assert result.exit_code == 0, result.output
    path = installation / "reports" / f"monthly-{month}.xlsx"
    assert result.output.strip().endswith(str(path))
    cover = load_workbook(path)["Báo cáo"]
    assert cover["A1"].value == "ĐẢNG BỘ PHƯỜNG LÊ CHÂN"
    assert cover["B1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM"
    pdf = CliRunner().invoke(app, ["report", "monthly", "--month", month, "--format", "pdf"])
    assert pdf.exit_code == 0, pdf.output
    assert Path(pdf.output.strip()).read_bytes()[:4] == b"%PDF"
    bad = CliRunner().invoke(app, ["report", "monthly", "--month", "11/2026"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    future = CliRunner().invoke(app, ["report", "monthly", "--month", "2999-01"])
    assert future.exit_code == 2 and "future" in future.output


def test_the_job_writes_once_from_the_25th(
    installation: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = Runtime(get_settings())
    monkeypatch.setattr(report_job, "today", lambda: dt.date(2026, 11, 24))
    run = JobRun(rt=rt, job="monthly-report")
    report_job.monthly_report(run)
    assert run.counts["not_due"] == 1 and not (installation / "reports").exists()
    monkeypatch.setattr(report_job, "today", lambda: dt.date(2026, 11, 25))
    report_job.monthly_report(run)
    report_job.monthly_report(run)
    assert (installation / "reports" / "monthly-2026-11.xlsx").exists()
    assert run.counts["written"] == 1 and run.counts["already_written"] == 1
