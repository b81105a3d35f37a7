"""Alerts service: tells subscribers of new reform mentions, once each, signed."""
