"""What a standard profile may require, validated strictly: an unknown or contradictory
requirement is refused with the path of the offending field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from registry.codes import QUALIFICATION_LADDERS

Classification = Literal["HTXS", "HTT", "HT", "KHT"]
LEVEL_KINDS = tuple(QUALIFICATION_LADDERS)


class LevelRequirement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_level: str
    majors: list[str] | None = Field(default=None, max_length=50)


class EvaluationRequirement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=5, description="the last N closed years")
    min_classification: Classification = "HTT"


class ComparableExperience(BaseModel):
    """Years in comparable posts: posts of the registry whose job-position code is listed."""

    model_config = ConfigDict(extra="forbid")

    years: int = Field(ge=1, le=40)
    job_position_codes: list[str] = Field(min_length=1, max_length=50)


class Requirements(BaseModel):
    """Thresholds are configuration (domain.md): each key is one rule of the engine."""

    model_config = ConfigDict(extra="forbid")

    professional: LevelRequirement | None = None
    political_theory: LevelRequirement | None = None
    state_management: LevelRequirement | None = None
    it: LevelRequirement | None = None
    foreign_language: LevelRequirement | None = None
    defence_security: LevelRequirement | None = None
    party_member: bool = False
    min_years_experience: int | None = Field(default=None, ge=1, le=40)
    experience_in_comparable_posts: ComparableExperience | None = None
    retirement_headroom_years: int | None = Field(default=None, ge=1, le=15)
    in_planning: bool = False
    recent_evaluations: EvaluationRequirement | None = None
    no_discipline_in_effect: bool = False
    max_years_in_post: int | None = Field(default=None, ge=1, le=10)
    certificates_valid: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> Requirements:
        for kind in LEVEL_KINDS:
            req: LevelRequirement | None = getattr(self, kind)
            if req is None:
                continue
            if req.min_level not in QUALIFICATION_LADDERS[kind]:
                raise ValueError(
                    f"{kind}.min_level: unknown level {req.min_level!r}; "
                    f"expected one of {list(QUALIFICATION_LADDERS[kind])}"
                )
            if req.majors is not None and kind != "professional":
                raise ValueError(f"{kind}.majors: only a professional qualification has majors")
        if (
            self.min_years_experience
            and self.max_years_in_post
            and self.min_years_experience > 40 - self.max_years_in_post
        ):
            raise ValueError("min_years_experience and max_years_in_post leave no career")
        return self

    def stated(self) -> list[str]:
        """The requirements this profile states (set and not the default)."""
        return sorted(self.model_dump(exclude_defaults=True))

    def level_rules(self) -> dict[str, LevelRequirement]:
        return {k: v for k in LEVEL_KINDS if (v := getattr(self, k)) is not None}


# Which rule of the engine evaluates each requirement: a requirement the engine cannot
# evaluate is refused at configuration (``unevaluated``), never accepted and ignored.
EVALUATED_BY: dict[str, str] = {
    **{k: f"qualification.{k}" for k in LEVEL_KINDS},
    "party_member": "party_member",
    "min_years_experience": "experience",
    "experience_in_comparable_posts": "experience_in_comparable_posts",
    "retirement_headroom_years": "retirement_headroom",
    "in_planning": "in_planning",
    "recent_evaluations": "recent_evaluations",
    "no_discipline_in_effect": "no_discipline_in_effect",
    "max_years_in_post": "rotation_overdue",
    "certificates_valid": "certificates_valid",
}


def unevaluated(req: Requirements) -> list[str]:
    return [k for k in req.stated() if k not in EVALUATED_BY]
