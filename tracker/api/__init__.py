"""The REST API for reporting clients: read plans and progress, submit progress, edit plans.

Visibility and write rights come from tracker.access (scope_for); filters from
tracker.filters; reports from tracker.selectors. This package only adapts them
to HTTP.
"""
