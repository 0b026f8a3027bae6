"""What every branch uses: one-line errors, file writes, processes, logs, statistics, plots, tables, seeding."""
