"""The README's tables, written from the catalogue (``tests/unit/test_catalogue.py`` checks
that the README holds exactly these, so the prose cannot drift from the declaration).

``python -m registry.catalogue.docs`` prints them."""

from __future__ import annotations

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


if __name__ == "__main__":
    print(ownership_table(), end="\n\n")
    print(masking_table())
