"""Reads of case records, always narrowed to the viewer by the access core."""
