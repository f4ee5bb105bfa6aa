"""The core, Qt-free: models, the encrypted store, households and members, search,
audit, demo data. Depends on forms/ only."""
