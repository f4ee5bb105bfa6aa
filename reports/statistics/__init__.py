"""The 统计报告: every table of registry.statistics for a county, township or village, with
its chart (charts.py, one definition for the PDF and the app), as a PDF (report.py) and a
workbook (workbook.py)."""
