"""Inventory service: the catalogue, price books, taxes and line prices."""
