"""Demo data: one county with its organs, staff for every role and several hundred real-text cases.

An app without models (for its `demo_data` command): builders used by `python manage.py demo_data` and
`huiyin demo`.
"""
