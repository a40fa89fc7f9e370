"""People who sign in to the review pages (applications keep using API tokens)."""
