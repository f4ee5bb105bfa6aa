"""The 打印 menu: the option dialogs, the flow that makes the PDF in the DB worker, and the
print preview."""
