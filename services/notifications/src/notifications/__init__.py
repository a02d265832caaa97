"""Notifications service: follows, the in-app notification centre and the rules
that turn the platform's events into notifications."""
