"""The case log's rules, by topic: cases (経験症例 entry, edit, delete), case_signoff (the
director's sign-off), case_csv (the export), case_facts (the requirement facts), identifiers (no
patient identifier in free text, cases and reports alike); reports (症例レポート, the trainee's
side), report_review (the director's), report_diff (差分 between versions), report_case (the
case a report is about)."""
