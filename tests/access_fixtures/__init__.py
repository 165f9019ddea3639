"""A test-only app: a generic borough-scoped, shareable record for exercising the access core."""
