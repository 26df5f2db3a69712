"""Tests of the PyTorch baseline's model against the committed reference file, for machines that have torch
(Debian: apt-get install python3-torch). CI has no torch, so these run by hand:
    python3 -m unittest discover -s baselines/pytorch/tests -v        (from the repository root)
They check what the reference file cannot: that the model still reproduces it on this torch, with the manual and
the fused attention, and that scoring does not depend on the batch size."""
import json
import os
import sys
import unittest

try:
    import torch
except ImportError:  # the energy tests in this folder still run
    torch = None

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))
REF = os.path.join(ROOT, "baselines", "reference", "logits-v1.json")


@unittest.skipIf(torch is None, "torch is not installed")
class AgainstReferenceFile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from nllm_torch import SDPA, Model, greedy, strided_nll  # noqa: F401

        cls.nllm = sys.modules["nllm_torch"]
        with open(REF) as f:
            cls.ref = json.load(f)
        cls.attentions = ["manual"] + (["fused"] if SDPA is not None else [])

    def model(self, rel, attention):
        return self.nllm.Model(os.path.join(ROOT, rel), attention=attention)

    def test_logits_match_to_1e4(self):
        for attention in self.attentions:
            for e in self.ref["entries"]:
                got = self.model(e["model"], attention).logits(e["input_ids"])
                diff = (got - torch.tensor(e["logits"])).abs().max().item()
                self.assertLessEqual(diff, 1e-4, f"{e['model']} ({attention}): max |diff| {diff:.3g}")

    def test_greedy_ids_with_the_kv_cache(self):
        for attention in self.attentions:
            for g in self.ref["generation"]:
                m = self.model(g["model"], attention)
                ids = self.nllm.greedy(m, torch.tensor(g["prompts"]), len(g["greedy"][0])).tolist()
                self.assertEqual(ids, g["greedy"], f"{g['model']} ({attention})")

    def test_strided_nll_matches_and_is_batch_independent(self):
        for p in self.ref["perplexity"]:
            m = self.model(p["model"], "manual")
            for batch in (1, 3, 8):
                nll, n = self.nllm.strided_nll(m, p["input_ids"], p["context"], p["stride"], batch)
                self.assertEqual(n, p["tokens"])
                self.assertAlmostEqual(nll / p["nll"], 1.0, delta=1e-6, msg=f"{p['model']} batch {batch}")

    def test_refuses_tensors_the_forward_would_ignore(self):
        cfg, tensors = self.nllm.load_checkpoint(os.path.join(ROOT, "test/fixtures/hf/llama-tiny"))
        self.nllm.Model(None, tensors=dict(tensors), cfg=cfg)  # loads as it is
        tensors["model.layers.0.self_attn.q_proj.bias"] = torch.zeros(32)
        tensors["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch.zeros(4)  # a buffer: allowed
        with self.assertRaisesRegex(ValueError, r"holds 1 tensor\(s\) the llama forward does not use: model\.layers\.0\.self_attn\.q_proj\.bias"):
            self.nllm.Model(None, tensors=tensors, cfg=cfg)

    def test_fused_attention_on_a_chunk_after_a_cache(self):
        # prefill 5 tokens, then a chunk of 4 (S < T, S > 1: the explicit bottom-right mask), against one prefill of 9
        if "fused" not in self.attentions:
            self.skipTest("this torch has no scaled_dot_product_attention")
        m = self.model("test/fixtures/hf/llama-tiny", "fused")
        ids = [1, 14, 22, 37, 5, 5, 49, 18, 3]
        whole = m.logits(ids)
        kv = self.nllm.KvCache()
        m.logits(ids[:5], kv)
        chunk = m.logits(ids[5:], kv)
        self.assertLess((chunk - whole[5:]).abs().max().item(), 1e-5)


if __name__ == "__main__":
    unittest.main()
