"""Bulk import of customers from a spreadsheet, and export of any visible list to one.

`columns` is the one table of the spreadsheet's columns (the form's labels and the input
fields they fill); `export` writes the template and the CSV export.
"""
