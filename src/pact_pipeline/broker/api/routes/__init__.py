"""The broker's routes, one module per resource family."""
