"""Outreach pages, one module per concern: the liaison map and pairings, 民情日记 (phone-sized),
coverage, 民情恳谈会, commitments (staff), 为民办实事, consultation (staff), and the portal's public pages
(anonymised: units and promises only, never the people met, raters or commenters who did not choose
to be named). The shared form handling is views/common.py."""

from huiyin.outreach.views.commitments import (
    commitment_act,
    commitment_new,
    commitment_page,
    commitments,
    commitments_export,
)
from huiyin.outreach.views.consultation import comment_respond, consultation_page, consultations, hearing_new
from huiyin.outreach.views.coverage import coverage
from huiyin.outreach.views.diary import (
    diary,
    diary_export,
    diary_new,
    entry_page,
    followup,
    problem_answer,
    problem_case,
    problem_screening,
)
from huiyin.outreach.views.meetings import issue_act, meeting_minutes, meeting_page, meetings
from huiyin.outreach.views.pairings import home, pairing_new
from huiyin.outreach.views.projects import project_decide, projects
from huiyin.outreach.views.public import (
    public_consultation,
    public_consultations,
    public_list,
    public_page,
    public_projects,
    public_rate,
)

__all__ = [
    "comment_respond",
    "commitment_act",
    "commitment_new",
    "commitment_page",
    "commitments",
    "commitments_export",
    "consultation_page",
    "consultations",
    "coverage",
    "diary",
    "diary_export",
    "diary_new",
    "entry_page",
    "followup",
    "hearing_new",
    "home",
    "issue_act",
    "meeting_minutes",
    "meeting_page",
    "meetings",
    "pairing_new",
    "problem_answer",
    "problem_case",
    "problem_screening",
    "project_decide",
    "projects",
    "public_consultation",
    "public_consultations",
    "public_list",
    "public_page",
    "public_projects",
    "public_rate",
]
