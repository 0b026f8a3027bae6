"""Snakemake script: the BLOOM report (which path ran, loss curves, held-out loss/perplexity,
EOS rate, distinct answers and token F1 before/after, answers to the held-out questions,
parameter accounting, cost)."""
import json
from pathlib import Path

from ftlib.accounting.bloom import describe
from ftlib.core.errors import run_step
from ftlib.bloom.plots import plot_bloom_losses
from ftlib.core.tables import markdown_table
from ftlib.core.textio import write_lines, write_text_atomic


def cell(text, limit=160):
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def mean_len(answers):
    return sum(g["new_tokens"] for g in answers) / len(answers)


def mean_len_ref(metrics):
    return metrics["heldout_answer_tokens"] / metrics["n_heldout"]


def stage_row(name, stage, answers, n):
    return [name, f"{stage['heldout_loss']:.3f}", f"{stage['heldout_perplexity']:.1f}",
            f"{round(stage['eos_rate'] * n)}/{n} ({100 * stage['eos_rate']:.0f} %)", f"{mean_len(answers):.1f}",
            f"{stage['distinct_answers']}/{n}", f"{stage['token_f1']:.3f}"]


def paraphrase_note(m) -> str:
    k, n = len(m["heldout_answer_in_training"]), m["n_heldout"]
    if k == 0:
        return (f"None of the {n} held-out questions shares its reference answer with a training pair: "
                "answering them means generalizing to new topics.")
    return (f"{k} of the {n} held-out questions are paraphrases of a training question (their reference "
            "answer is that training pair's answer), as a real FAQ's new questions often are: the held-out "
            "questions themselves were never trained on, nor in the demo's pretraining text, but these "
            f"{k} answers were, as answers to differently worded questions. Token F1 measures whether the "
            "model gives the right answer to a question worded differently.")


def count_rows(name, row):
    c, f = row["counted"], row["formula"]
    s = row["shape"]
    return [[name, f"V={s['vocab_size']:,}, h={s['hidden_size']}, L={s['num_layers']}", "full",
             f"{c['full']:,}", f"{f['full']:,}", f"`{row['lines']['full']}`"],
            [name, "", "4-bit packed", f"{c['all_4bit']:,} (trainable {c['trainable_4bit']:,})",
             f"{f['all_4bit']:,} ({f['trainable_4bit']:,})", f"`{row['lines']['4bit']}`"],
            [name, "", f"4-bit + LoRA r={row['lora_r']}", f"{c['all_4bit_lora']:,} (trainable {c['lora_trainable']:,})",
             f"{f['all_4bit_lora']:,} ({f['lora_trainable']:,})", f"`{row['lines']['4bit_lora']}`"]]


def write_answers(path, gens) -> None:
    """Every held-out question with its reference and both answers, as TSV."""
    write_lines(path, ["\t".join(["index", "question", "reference", "before", "after",
                                  "before_eos", "after_eos", "before_f1", "after_f1"])] + [
        "\t".join([str(b["index"]), cell(b["question"], 10**6), cell(b["reference"], 10**6), cell(b["answer"], 10**6),
                   cell(a["answer"], 10**6), str(b["ended_with_eos"]), str(a["ended_with_eos"]),
                   f"{b['token_f1']:.3f}", f"{a['token_f1']:.3f}"])
        for b, a in zip(gens["before"], gens["after"])])


def intro_lines(mode: str) -> list[str]:
    lines = [f"# BLOOM QLoRA instruction tuning report ({mode})", ""]
    if mode == "demo":
        lines += ["Offline demo: a tiny Bloom (BloomConfig) with a byte-level BPE tokenizer, both built and "
                  "pretrained by the workflow, then LoRA-tuned on the project's French FAQ. Its numbers show the "
                  "method, not bloom-560m's quality.", "",
                  "The base is pretrained as a causal LM on running text, as a real LM is: documents of several "
                  "sentences (the training pairs, each question followed by its answer as on an FAQ page, and "
                  "generated French sentences; no prompt format, no held-out question), with EOS only at the "
                  "end of each document. So before tuning it writes French on and on (it does not stop after an "
                  "answer); the tuning teaches it the prompt format, which answer goes with which question, and "
                  "to stop (EOS after every training answer).", ""]
    return lines


def what_ran_lines(m: dict) -> list[str]:
    hp = m["hp"]
    return ["## What ran", "",
            f"- base: `{m['base']}`; **path: {m['path']}**",
            f"- optimizer: `{m['optimizer']}` (config: `{hp['optim']}`), {hp['scheduler']} schedule, "
            f"warmup ratio {hp['warmup_ratio']} ({m['warmup_steps']} steps), lr {hp['lr']}",
            f"- {hp['max_steps']} optimizer steps of batch {hp['batch_size']} × gradient accumulation "
            f"{hp['grad_accum']} over {m['n_train']} training pairs ({m['train_tokens']} tokens with EOS); "
            f"{m['n_heldout']} held-out questions",
            f"- LoRA r={m['lora']['r']}, alpha {m['lora']['alpha']}, dropout {m['lora']['dropout']}, "
            f"target {', '.join(m['lora']['target_modules'])}, bias {m['lora']['bias']}",
            "- prompt: `<human>: {question}\\n<assistant>: {answer}` + EOS",
            f"- wall time {m['wall_seconds']:.0f} s (training {m['train_seconds']:.0f} s), "
            f"{m['threads']} thread(s), peak RSS {m['peak_rss_mb']:.0f} MB"
            + (f", peak CUDA memory {m['peak_cuda_mb']:.0f} MB" if m.get("peak_cuda_mb") else ""), ""]


def heldout_lines(m: dict, gens: dict, plot, answers) -> list[str]:
    b, a, n = m["before"], m["after"], m["n_heldout"]
    lines = ["## Held-out questions, before and after fine-tuning", "",
             paraphrase_note(m), "",
             "Loss: mean negative log-likelihood per token of `prompt + answer + EOS`; EOS rate: greedy "
             f"generations that ended with the EOS token within {m['max_new_tokens']} new tokens; distinct: "
             "different answers among the held-out ones; token F1: SQuAD's token F1 of each answer against its "
             "reference answer (lowercased words, punctuation stripped), averaged over the held-out questions.", ""]
    lines += markdown_table(["", "held-out loss", "perplexity", "EOS rate", "mean answer length (tokens)",
                             "distinct answers", "token F1"],
                            [stage_row("before", b, gens["before"], n), stage_row("after", a, gens["after"], n)])
    lines += ["", f"Reference answers: {mean_len_ref(m):.1f} tokens on average (with EOS). A base that stops at once "
              "(EOS rate high, answers of a few tokens) has not answered: read the EOS rate with the length.", "",
              f"![training and held-out loss]({Path(plot).name})", "",
              "Reference (bloom-560m, published run): before fine-tuning the model echoes the question; after, it "
              "answers in French but does not stop (no EOS in its training text). Here EOS follows every answer.", ""]
    mark = lambda g: " ⏹" if g["ended_with_eos"] else " …"  # noqa: E731
    lines += markdown_table(
        ["#", "question", "reference answer", "before", "F1", "after", "F1"],
        [[bb["index"], cell(bb["question"]), cell(bb["reference"]), cell(bb["answer"]) + mark(bb),
          f"{bb['token_f1']:.2f}", cell(aa["answer"]) + mark(aa), f"{aa['token_f1']:.2f}"]
         for bb, aa in zip(gens["before"], gens["after"])])
    return lines + ["", f"⏹ = ended with EOS, … = stopped at the token limit ({m['max_new_tokens']} new tokens); "
                    "F1: token F1 against the reference answer. All answers: "
                    f"`{Path(answers).name}`.", ""]


def accounting_lines(m: dict, params: dict) -> list[str]:
    lines = ["## Parameter accounting", "",
             "Counted on models built from their configuration on the meta device (no weights, offline) and "
             "by formula (V vocabulary, h hidden, L layers, r rank), in the course's format "
             "(a stored 4-bit tensor counts its packed elements):", "",
             "- full: V·h (embeddings, tied with the LM head) + 4h (embedding and final layer norms) + "
             "L·(12h² + 13h) per block (query_key_value 3h²+3h, dense h²+h, MLP 8h²+5h, 2 layer norms 4h);",
             "- 4-bit: the L·12h² weights of the block Linears are stored two per uint8 element, so \"all\" "
             "loses L·6h²; \"trainable\" at 4-bit load (the reference's 257,003,520) is what lies outside "
             "the quantized Linears, V·h + 4h + L·4h (embeddings and layer norms);",
             "- LoRA on query_key_value adds A (r×h) and B (3h×r) per block: L·r·(h + 3h), "
             "24 × 16 × (1024 + 3072) = 1,572,864 for bloom-560m; with LoRA only these train.", ""]
    lines += markdown_table(["model", "shape", "view", "counted (meta device)", "formula", "as printed"],
                            [cells for name, row in params.items() for cells in count_rows(name, row)])
    loaded, lora = m["counts"]["loaded"], m["counts"]["lora"]
    lines += ["", "Measured on the model this run trained (after loading, and with LoRA):", "",
              f"- loaded: `{describe(loaded['trainable'], loaded['all'])}`",
              f"- with LoRA: `{describe(lora['trainable'], lora['all'])}`", ""]
    if m["quantized"]:
        lines += ["With transformers 5 and bitsandbytes 0.50 the biases of the quantized Linears (L·9h) still "
                  "require gradients right after 4-bit loading, so the measured trainable count at load can exceed "
                  "the reference's convention by that much; prepare_model_for_kbit_training and LoRA freeze them.", ""]
    return lines


def main():
    mode = snakemake.wildcards.mode
    m = json.loads(Path(snakemake.input.metrics).read_text())
    gens = json.loads(Path(snakemake.input.generations).read_text())
    params = json.loads(Path(snakemake.input.parameters).read_text())
    plot_bloom_losses(m["train_curve"], m["heldout_curve"], m["before"]["heldout_loss"], snakemake.output.plot,
                      f"LoRA on {Path(m['base']).name} ({mode})")
    write_answers(snakemake.output.answers, gens)
    lines = intro_lines(mode) + what_ran_lines(m)
    lines += heldout_lines(m, gens, snakemake.output.plot, snakemake.output.answers)
    lines += accounting_lines(m, params)
    write_text_atomic(snakemake.output.report, "\n".join(lines) + "\n")
    print("\n".join(lines[:40]), flush=True)


run_step(main, snakemake.output, snakemake.log[0])
