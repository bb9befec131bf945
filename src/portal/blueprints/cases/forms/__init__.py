"""The case log's forms, by topic: cases (経験症例 entry and the sign-off buttons), reports
(症例レポート)."""
