"""Query API: search, articles and statistics over the store."""
