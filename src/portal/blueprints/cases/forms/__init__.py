"""The case log's forms, by topic (reports: 症例レポート)."""
