"""Library code of the workflow, one package per branch (core, data, fairseq, hf, peft, bloom) and
one for the parameter accounting; the scripts in scripts/<branch>/ are thin wrappers around it."""
