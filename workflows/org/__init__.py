"""The organisation: people, their roles and who reports to whom."""
