"""Application shell: settings, database configuration, the command line and demo data."""
