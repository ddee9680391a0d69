"""Writes of outreach (SPEC §3.6), one module per concern. Keyword-only, typed, one transaction each;
errors are ApplicationError subclasses (huiyin.core.errors) with the field that was wrong in `extra`.
Callers import from here; the modules are the layout, not the interface."""

from huiyin.outreach.services.commitments import (
    MSG_NOT_DUE,
    MSG_RATED,
    CommitmentIn,
    commitment_act,
    commitment_publish,
    commitment_rate,
)
from huiyin.outreach.services.common import (
    MSG_NO_CONSENT,
    MSG_NOT_OPEN,
    CaseFromProblemIn,
    _fail,
    office_for,
    voter_hash,
)
from huiyin.outreach.services.consultation import (
    CONSULT,
    comment_respond,
    consultation_comment,
    consultation_publish,
    hearing_record,
)
from huiyin.outreach.services.diary import (
    MAX_PHOTOS,
    MEDIATION_SCREENING,
    MSG_NO_MEDIATION,
    EntryIn,
    diary_entry_create,
    followup_add,
    problem_answer,
    problem_to_case,
    problem_to_screening,
)
from huiyin.outreach.services.meetings import (
    MeetingIn,
    meeting_create,
    meeting_issue_answer,
    meeting_issue_to_case,
    meeting_issue_to_commitment,
)
from huiyin.outreach.services.pairings import MANAGE_PAIRINGS, pairing_create, point_create
from huiyin.outreach.services.projects import (
    SELECT_PROJECTS,
    SelectionIn,
    proposal_decline,
    proposal_select,
    proposal_submit,
)

__all__ = [
    "CONSULT",
    "MANAGE_PAIRINGS",
    "MAX_PHOTOS",
    "MEDIATION_SCREENING",
    "MSG_NOT_DUE",
    "MSG_NOT_OPEN",
    "MSG_NO_CONSENT",
    "MSG_NO_MEDIATION",
    "MSG_RATED",
    "SELECT_PROJECTS",
    "CaseFromProblemIn",
    "CommitmentIn",
    "EntryIn",
    "MeetingIn",
    "SelectionIn",
    "_fail",
    "comment_respond",
    "commitment_act",
    "commitment_publish",
    "commitment_rate",
    "consultation_comment",
    "consultation_publish",
    "diary_entry_create",
    "followup_add",
    "hearing_record",
    "meeting_create",
    "meeting_issue_answer",
    "meeting_issue_to_case",
    "meeting_issue_to_commitment",
    "office_for",
    "pairing_create",
    "point_create",
    "problem_answer",
    "problem_to_case",
    "problem_to_screening",
    "proposal_decline",
    "proposal_select",
    "proposal_submit",
    "voter_hash",
]
