"""Slack, played locally: a Web API stand-in over HTTP and signed requests in Slack's shapes.

Shared by the shell, the tests and the benchmarks; the bot itself never imports it.
"""
