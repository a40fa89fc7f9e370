"""Server-rendered review pages for people: sign-in, alerts, dashboard, files, reports."""
