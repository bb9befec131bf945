"""The case log's rules, by topic: cases (経験症例 entry, edit, delete), case_signoff (the
director's sign-off), case_facts (the requirement facts), identifiers (no patient identifier
in free text)."""
