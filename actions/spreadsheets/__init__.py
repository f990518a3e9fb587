"""Spreadsheets: reading files, one module per import kind, and exports."""
