"""Wire contracts shared by every layer: envelope, event payloads, topics, money.

Imports only the standard library and pydantic, so that the streaming environment
can use it too.
"""
