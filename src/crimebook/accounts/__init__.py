"""Staff accounts, roles, compartments and API tokens."""
