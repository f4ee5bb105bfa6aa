"""The registration workspace's parts: the village tree, the household table and its model,
the detail panel, the household editor with its field widgets and member table, and the
villages dialog."""
