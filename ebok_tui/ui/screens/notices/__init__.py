"""Komunikaty (notices): failures and planned interruptions at the resident's addresses."""
