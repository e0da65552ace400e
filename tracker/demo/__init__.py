"""Invented demo data for development and screenshots; never real persons."""
