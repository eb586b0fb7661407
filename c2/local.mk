## c2/ (filled in by its issue)
