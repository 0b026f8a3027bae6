"""The labelled splits and their checks, the real downloads and the demo's synthetic corpus."""
