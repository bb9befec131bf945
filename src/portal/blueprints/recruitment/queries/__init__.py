"""Read-side queries of recruitment: the director's applicant list and the secretariat's application list."""
