"""Monthly bulletins (通报): the figures a 督查 office reports, and the .docx that carries them.

- figures.py: what a bulletin says, as plain dataclasses (the interface).
- sources.py: where the figures come from — the same functions as the
  ranking and rollup API, on the month's last day — and the status history
  (tracker.snapshots) for the change since last month.
- document.py: the document itself (python-docx), in the layout of a 公文.
"""
