"""Tenancy: which society a request belongs to, its rules, and the wall between societies."""
