"""Embedded infrastructure for one machine (PostgreSQL, Redis, NATS) and the `make run`
supervisor. Development and tests only: nothing here is imported by a service."""
