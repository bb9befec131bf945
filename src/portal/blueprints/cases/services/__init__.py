"""The case log's rules, by topic: reports (症例レポート, the trainee's side), report_review (the
director's), report_diff (差分 between versions), report_identifiers (no patient named in free
text)."""
