"""Bulk import of customers: the importCustomers mutation and the customerImport query."""
