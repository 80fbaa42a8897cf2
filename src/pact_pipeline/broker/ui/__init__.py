"""The broker's HTML pages."""
