"""The fairseq branch: its command lines, FLOP counts, benchmark workload and checkpoint probe."""
