"""Services of renewal: applications, affiliation and facility accounts, exports, and the society's words."""
