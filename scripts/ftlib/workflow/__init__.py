"""What the Snakemake workflow itself runs at start-up, above every other package: the config's checks
across keys."""
