"""Exact parameter accounting: counted on models built on the meta device, and by formula."""
