"""Exports of the best runs as transformers folders with a model card (rules/export.smk), and
predictions from them on a user's file."""
