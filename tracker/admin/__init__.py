"""The staff's data-entry screens, one module per area; importing them registers them.

base         the town scope every screen stands on, version checks, history
geography    regions, towns, departments
plans        source documents, plans, goal sections
targets      targets (with progress entered on a target's page), progress updates
memberships  users' roles in towns, regions and departments
notifications  towns' notification channels, and the 催办 sent
reporting    reporting periods, departments' reports, evidence
imports      plan documents uploaded, their candidates reviewed and accepted
users        accounts, groups and API tokens (superusers only)
audit        the admin's own log of changes (superusers only)
"""

from tracker.admin import (  # noqa: F401
    audit,
    base,
    geography,
    imports,
    memberships,
    notifications,
    plans,
    reporting,
    targets,
    users,
)
