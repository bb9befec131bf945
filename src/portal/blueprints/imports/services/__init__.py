"""Import of people and facilities (issue 15 item 1): reading (CSV/xlsx), rows (one row's
own checks), planning (create/update/unchanged/error), applying (the confirm), batches (the
two steps, the job for large files, the error CSV). Services flush, never commit."""
