"""Excel (openpyxl) export of registers and filtered lists, the import template generated
from forms/, and the validated import of filled templates.

Workbook layout (export, template and import share it): sheet “农户” holds one row per
household, sheet “家庭成员” one row per member, linked by the “户编号” column. Each form
field appears once, in the sheet of the form that declares it, instead of 50 household
columns repeated on every member row; the exported file has the same shape as the
template, so a register exported at one station imports at another.
"""
