"""The desktop's half of the one error path: the dialog that shows a failure, and the hooks
that send exceptions nobody caught to it."""
