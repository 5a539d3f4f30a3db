"""Moving people in and out of orders: reading spreadsheet files, imports with a column mapping,
exports now or on a schedule, and each staff member's downloads."""
