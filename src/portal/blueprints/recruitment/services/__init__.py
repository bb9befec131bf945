"""Services of recruitment: the applicant's side, the director's selection, the secretariat's programs and rounds,
and the transitions they share. Services flush, never commit."""
