"""The gateway's cross-cutting concerns: request ids, JSON logs, rate limits, Redis.

``serving.gateway.install.install_gateway(app, settings)`` wires them into an app.
"""
