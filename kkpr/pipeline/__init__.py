"""The single-window stage: applications, outbox and webhooks, review queue, documents.

Modules are imported by what they hold (``kkpr.pipeline.applications.Pipeline``,
``kkpr.pipeline.delivery.Worker``, ...); nothing is imported here so that the
delivery worker starts without loading the geometry stack.
"""
