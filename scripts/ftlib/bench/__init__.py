"""The benchmark's measurements (`snakemake bench`): processes timed with their memory, the
thread layout of a CPU machine, model steps of every branch, and the whole experiment's cost."""
