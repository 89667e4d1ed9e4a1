"""Mutation testing: the runner behind ``scripts/mutation`` and the list of equivalent mutants."""
