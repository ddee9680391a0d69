"""The 督办 sweep runs inside the worker's periodic clock sweep (huiyin.workflow.tasks), right after the
clocks flip, so one job keeps every clock and every 督办 candidate current."""
