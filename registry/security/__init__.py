"""Safety at the edge of the application: one input hygiene for every request, and the
security headers on every response (see docs/security.md)."""
