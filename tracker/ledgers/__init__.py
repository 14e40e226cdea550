"""Ledgers (台账): progress entered in bulk, as a grid or an Excel sheet; a plan's breakdown as Excel.

- workbooks.py: opening an upload safely and the template's signed mark;
- progress_sheet.py: the progress template for a period, and its upload;
- breakdown.py: a plan's 任务分解表, exported and imported (dry run, then all or nothing).

Progress goes through the one submission policy (tracker/submission.py); every
cell written goes through tracker/spreadsheets.py.
"""
