"""HAL representations of the broker's resources (the Ruby broker's "decorators"), one module
per resource.

Shapes follow ``reference/broker-api.md`` §2 to §3: properties whose value is None are left out,
relations are objects (arrays only where the clients expect arrays). Representations take
objects and facts the services loaded and return dicts; they never query.
"""
