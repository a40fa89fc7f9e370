"""Figures for the Standing Committee: the dashboard and the monthly report."""
