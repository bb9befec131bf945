"""The case log's lists, by topic: cases (the trainee's list, its CSV, the sign-off queue)."""
