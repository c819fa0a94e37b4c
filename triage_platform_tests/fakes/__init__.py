"""Fake external services for tests: real local servers that speak the services' wire protocols."""
