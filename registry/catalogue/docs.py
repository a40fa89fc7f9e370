"""``docs/catalogue.md``, written from the catalogue (``tests/unit/test_catalogue.py`` checks
that the file holds exactly this, so the documentation cannot drift from the declaration).

``python -m registry.catalogue.docs`` prints it; ``--write`` rewrites the file."""

from __future__ import annotations

import sys
from pathlib import Path

from registry.catalogue.declarations import KINDS
from registry.catalogue.model import CIVIL_SERVICE, POPULATION, REGISTRY, Sensitivity
from registry.catalogue.queries import group_owner, groups

OWNER_WORDS = {
    POPULATION: "population database",
    CIVIL_SERVICE: "civil-servant database",
    REGISTRY: "registry",
}
CLASS_WORDS = {
    Sensitivity.PUBLIC: "public",
    Sensitivity.PERSONAL: "personal",
    Sensitivity.SPECIAL: "special category",
    Sensitivity.SECRET: "secret",
}


def ownership_table() -> str:
    """Person field groups with their owner, then the record kinds and where they go."""
    lines = ["| field group | owner | fields |", "|---|---|---|"]
    for group, fields in groups().items():
        owner = OWNER_WORDS[group_owner(group)]
        lines.append(f"| {group} | {owner} | {', '.join(f'`{f}`' for f in fields)} |")
    for k in KINDS.values():
        if k.table == "persons" or k.person_link is None or not any(f.group for f in k.fields):
            continue
        sent = ", ".join(OWNER_WORDS[s] for s in sorted(k.pushed_to))
        where = f"registry (pushed to the {sent})" if sent else "registry (never sent)"
        lines.append(f"| {k.table} | {where} | the whole record |")
    return "\n".join(lines)


def masking_table() -> str:
    """What is special-category or secret, and so masked for service tokens and for
    auditors without a stated purpose."""
    lines = ["| record | class | masked fields |", "|---|---|---|"]
    for k in KINDS.values():
        if k.sensitivity >= Sensitivity.SPECIAL:
            lines.append(f"| {k.table} | {CLASS_WORDS[k.sensitivity]} | the whole record |")
            continue
        closed = [f for f in k.fields if k.sensitivity_of(f.name) >= Sensitivity.SPECIAL]
        if closed:
            named = ", ".join(
                f"`{f.name}` ({CLASS_WORDS[f.sensitivity]}"
                + (", encrypted" if f.encrypted else "")
                + (", blind-indexed" if f.blind_indexed else "")
                + (", not in history" if f.redacted_in_history else "")
                + ")"
                for f in closed
            )
            lines.append(f"| {k.table} | {CLASS_WORDS[k.sensitivity]} | {named} |")
    return "\n".join(lines)


def timeline_table() -> str:
    """The sections the file's timeline places from their declaration (``Timeline``)."""
    lines = ["| record | starts | ends | shows |", "|---|---|---|---|"]
    for k in KINDS.values():
        if (t := k.timeline) is not None:
            end, what = (f"`{n}`" if n else "—" for n in (t.end, t.summary))
            lines.append(f"| {k.table} | `{t.start}` | {end} | {what} |")
    return "\n".join(lines)


DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"


def document() -> str:
    return (
        "# The field catalogue\n\n"
        "Written by `python -m registry.catalogue.docs --write` from `registry/catalogue/`;"
        " do not edit by hand.\n\n"
        "## Who owns which field\n\n"
        f"{ownership_table()}\n\n"
        "## What is masked\n\n"
        "Special-category and secret values, masked for service tokens and for auditors"
        " without a stated purpose.\n\n"
        f"{masking_table()}\n\n"
        "## On the timeline\n\n"
        "Sections placed on a file's timeline (`/persons/{id}/timeline`, the auditor's page)"
        " from their declaration; posts, party status, qualifications, trainings, evaluations,"
        " discipline and commendations are placed by `registry/audit/timeline.py` itself.\n\n"
        f"{timeline_table()}\n"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        DOC_PATH.parent.mkdir(exist_ok=True)
        DOC_PATH.write_text(document(), encoding="utf-8")
    else:
        print(document(), end="")
