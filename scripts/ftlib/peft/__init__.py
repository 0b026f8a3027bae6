"""The PEFT methods on a sequence classifier, their plot and published numbers."""
