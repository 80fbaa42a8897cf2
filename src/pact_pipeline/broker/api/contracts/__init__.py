"""Request contracts (the Ruby broker's ``api/contracts/``): turning request bodies, paths and
query strings into the commands and queries services take, with every problem reported at once.

Routes parse through these, call one service and present the result; a contract never touches
the database (whatever needs the data, such as "does this environment exist", is the service's).
"""
