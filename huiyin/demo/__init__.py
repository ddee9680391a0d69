"""Demo data: one county with its organs, staff for every role and several hundred real-text cases.

Not an app (no models): builders used by `python manage.py demo_data` and `huiyin demo`.
"""
