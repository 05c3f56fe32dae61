#!/usr/bin/env python3
"""Exports small HuggingFace models to ONNX for Loom's raising and end-to-end tests.

These are *other* exports of the families that ../shared/models covers (Llama-like,
GPT-2-like, ViT/BERT-like encoders, MoE LMs), made so that the raising passes are
tested on exporter output they were not written against. Random weights (torch seed
0), fp32, `torch.onnx.export(..., dynamo=True)`, weights embedded. Each model gets
`<name>.onnx`, `<name>_input.npy` and `<name>_output.npy` (PyTorch eager, fp32 CPU).

Needs torch, transformers and onnxscript, which Loom's CI does not install: the
generated files are committed, and this script is how they were made:

    python export_hf_models.py --out test/Models/Inputs/hf
"""
import argparse
import os

import numpy as np
import torch
import transformers as tf


class LogitsOnly(torch.nn.Module):
    """Wraps a model so that the export has one tensor output and no cache."""

    def __init__(self, model, key):
        super().__init__()
        self.model = model
        self.key = key

    def forward(self, x):
        kwargs = {self.key: x}
        if self.key == "input_ids":
            kwargs["use_cache"] = False
        out = self.model(**kwargs)
        return out.logits if hasattr(out, "logits") else out.last_hidden_state


def lm_ids(vocab, seq, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (1, seq), generator=g)


def models():
    """(name, model factory, input name, input). Factories run under a fixed seed."""
    moe = dict(experts_implementation="batched_mm")
    yield "gpt2", lambda: tf.GPT2LMHeadModel(tf.GPT2Config(
        n_embd=48, n_layer=2, n_head=4, vocab_size=128, n_positions=32)), \
        "input_ids", lm_ids(128, 24, 1)
    yield "qwen2", lambda: tf.Qwen2ForCausalLM(tf.Qwen2Config(
        hidden_size=64, intermediate_size=96, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, vocab_size=128,
        max_position_embeddings=32)), "input_ids", lm_ids(128, 20, 2)
    yield "llama_mha", lambda: tf.LlamaForCausalLM(tf.LlamaConfig(
        hidden_size=48, intermediate_size=80, num_hidden_layers=2,
        num_attention_heads=3, num_key_value_heads=3, vocab_size=128,
        max_position_embeddings=32)), "input_ids", lm_ids(128, 17, 3)
    yield "bert", lambda: tf.BertModel(tf.BertConfig(
        hidden_size=48, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=96, vocab_size=128, max_position_embeddings=32),
        add_pooling_layer=False), "input_ids", lm_ids(128, 19, 4)
    yield "deit", lambda: tf.DeiTModel(tf.DeiTConfig(
        hidden_size=48, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=96, image_size=64, patch_size=16),
        add_pooling_layer=False), "pixel_values", \
        torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(5))
    yield "qwen3_moe", lambda: tf.Qwen3MoeForCausalLM(tf.Qwen3MoeConfig(
        hidden_size=48, intermediate_size=64, moe_intermediate_size=32,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        head_dim=12, num_experts=6, num_experts_per_tok=2, norm_topk_prob=True,
        vocab_size=128, max_position_embeddings=32, **moe)), \
        "input_ids", lm_ids(128, 16, 6)
    yield "olmoe", lambda: tf.OlmoeForCausalLM(tf.OlmoeConfig(
        hidden_size=48, intermediate_size=32, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=4, num_experts=8,
        num_experts_per_tok=3, norm_topk_prob=False, vocab_size=128,
        pad_token_id=0, eos_token_id=1, bos_token_id=2,
        max_position_embeddings=32, **moe)), "input_ids", lm_ids(128, 12, 7)
    yield "granitemoe", lambda: tf.GraniteMoeForCausalLM(tf.GraniteMoeConfig(
        hidden_size=48, intermediate_size=32, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, num_local_experts=4,
        num_experts_per_tok=2, vocab_size=128, max_position_embeddings=32,
        **moe)), "input_ids", lm_ids(128, 14, 8)
    # Partial rotary embeddings: NeoX rotates 25% of each head (rotate-half),
    # GPT-J 8 of 12 channels in interleaved pairs.
    yield "gpt_neox", lambda: tf.GPTNeoXForCausalLM(tf.GPTNeoXConfig(
        hidden_size=64, intermediate_size=96, num_hidden_layers=2,
        num_attention_heads=4, rotary_pct=0.25, vocab_size=128,
        max_position_embeddings=32)), "input_ids", lm_ids(128, 18, 9)
    yield "gptj", lambda: tf.GPTJForCausalLM(tf.GPTJConfig(
        n_embd=48, n_layer=2, n_head=4, rotary_dim=8, vocab_size=128,
        n_positions=32)), "input_ids", lm_ids(128, 15, 10)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, factory, key, x in models():
        if args.only and name not in args.only:
            continue
        torch.manual_seed(0)
        model = factory().eval()
        wrapped = LogitsOnly(model, key).eval()
        with torch.no_grad():
            ref = wrapped(x).numpy()
        path = os.path.join(args.out, name + ".onnx")
        torch.onnx.export(wrapped, (x,), path, dynamo=True, external_data=False,
                          input_names=[key], output_names=["output"])
        np.save(os.path.join(args.out, name + "_input.npy"), x.numpy())
        np.save(os.path.join(args.out, name + "_output.npy"), ref.astype(np.float32))
        print(name, os.path.getsize(path), "bytes, output", ref.shape)


if __name__ == "__main__":
    main()
