"""Extraction service: the pure engine (`engine`) and the faust stream that runs it (`stream`)."""
