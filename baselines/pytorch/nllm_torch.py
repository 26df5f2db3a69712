"""Plain-PyTorch dense baseline for NeuromorphicLLM: loads the same Hugging Face checkpoints (config.json +
model.safetensors, sharded or not) as the TypeScript forward, for the GPT-2, OPT and Llama families.

Written independently of the TS code, in Hugging Face's own conventions (GPT-2 Conv1D weights, OPT's position
offset of 2, Llama's rotate-half RoPE on un-permuted q/k), so agreement between the two is a real cross-check.
Needs only torch (no transformers, no safetensors package).
"""
import json
import math
import os
import re
import struct

import torch

from strided import strided_windows  # noqa: F401  (the window plan, torch-free; baseline.py imports it from here)

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[b:e]), dtype=DTYPES[t["dtype"]]).reshape(t["shape"]).float()
    return out


def load_checkpoint(d):
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    index = os.path.join(d, "model.safetensors.index.json")
    tensors = {}
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
        for fn in files:
            tensors.update(read_safetensors(os.path.join(d, fn)))
    else:
        tensors = read_safetensors(os.path.join(d, "model.safetensors"))
    return cfg, tensors


def layer_norm(x, w, b, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps)


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def cpu_blas():
    """The BLAS libraries this process has loaded (Linux): on Debian, torch's libblas.so.3 is whichever the
    alternatives system points at (reference BLAS, OpenBLAS, ...), and CPU speed depends on it several times over."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if len(line.split()) >= 6}
    except OSError:
        return None
    found = sorted(os.path.realpath(p) for p in libs if any(k in os.path.basename(p).lower() for k in ("blas", "mkl")))
    return sorted(set(found)) or None


def causal_attention(q, k, v):
    # q: [B, H, S, hd] at the last S of T positions; k, v: [B, H, T, hd]
    S, T = q.shape[-2], k.shape[-2]
    att = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    mask = torch.triu(torch.ones(S, T, dtype=torch.bool, device=q.device), 1 + T - S)
    att = att.masked_fill(mask, float("-inf")).softmax(-1)
    return att @ v


SDPA = getattr(torch.nn.functional, "scaled_dot_product_attention", None)  # torch >= 2.0


def fused_causal_attention(q, k, v):
    """The same attention through torch's fused kernel (FlashAttention / memory-efficient on CUDA), as deployed
    models run it. is_causal aligns the mask to the top left, which is right only when S == T; a single query
    (decode) sees every cached position; a chunk (S < T) gets the bottom-right mask explicitly."""
    S, T = q.shape[-2], k.shape[-2]
    if S == T:
        return SDPA(q, k, v, is_causal=True)
    if S == 1:
        return SDPA(q, k, v)
    keep = ~torch.triu(torch.ones(S, T, dtype=torch.bool, device=q.device), 1 + T - S)
    return SDPA(q, k, v, attn_mask=keep)


def pick_attention(choice, device, dtype):
    """'manual' (the reference: the formula as written), 'fused' (torch's scaled_dot_product_attention), or 'auto':
    fused where this torch has it and it agrees with the manual one here (checked on prefill, decode and chunk
    shapes), else manual. Returns (function, description)."""
    if choice == "manual":
        return causal_attention, "manual (matmul, mask, softmax, matmul)"
    if SDPA is None:
        if choice == "fused":
            raise RuntimeError(f"torch {torch.__version__} has no scaled_dot_product_attention (needs torch >= 2.0)")
        return causal_attention, f"manual (torch {torch.__version__} has no fused attention)"
    g = torch.Generator(device="cpu").manual_seed(0)
    tol = 1e-4 if dtype == torch.float32 else 3e-2
    for S, T in ((16, 16), (1, 16), (5, 16)):
        q, k, v = (torch.randn(2, 4, n, 32, generator=g).to(device=device, dtype=dtype) for n in (S, T, T))
        try:
            err = (fused_causal_attention(q, k, v).float() - causal_attention(q, k, v).float()).abs().max().item()
            why = f"differs from the manual one by {err:.3g} at S={S}, T={T}" if not err <= tol else None
        except RuntimeError as e:
            why = f"failed at S={S}, T={T}: {e}"
        if why:
            if choice == "fused":
                raise RuntimeError(f"fused attention {why} on {device}")
            return causal_attention, f"manual (fused attention {why})"
    return fused_causal_attention, "fused (torch scaled_dot_product_attention; agrees with manual to within " + f"{tol:g})"


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


ACT = {"gelu_new": gelu_new, "gelu_pytorch_tanh": gelu_new, "gelu": torch.nn.functional.gelu, "relu": torch.relu, "silu": torch.nn.functional.silu}


def rope_inv_freq(hd, theta, scaling, device):
    """theta^(-2i/hd) per rotated pair, then HF rope_scaling: 'linear' divides by factor; 'llama3' keeps wavelengths
    under original_max_position_embeddings / high_freq_factor, divides those over .../low_freq_factor by factor,
    and blends linearly (in original context / wavelength) in between. Other types are refused."""
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float32, device=device) / hd))
    kind = (scaling or {}).get("rope_type", (scaling or {}).get("type", "default"))
    if kind == "default":
        return inv
    if kind == "linear":
        return inv / scaling["factor"]
    if kind != "llama3":
        raise ValueError(f"rope_scaling type {kind!r} is not supported (linear, llama3)")
    factor, lo, hi, ctx = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"], scaling["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv
    smooth = (ctx / wavelen - lo) / (hi - lo)
    blended = (1 - smooth) * inv / factor + smooth * inv
    return torch.where(wavelen < ctx / hi, inv, torch.where(wavelen > ctx / lo, inv / factor, blended))


class KvCache:
    """Keys and values per layer, [B, heads, T, hd], of the positions run so far."""

    def __init__(self):
        self.k, self.v, self.length = {}, {}, 0

    def append(self, layer, k, v):
        if layer in self.k:
            k = torch.cat([self.k[layer], k], -2)
            v = torch.cat([self.v[layer], v], -2)
        self.k[layer], self.v[layer] = k, v
        return k, v


class Model:
    """dtype: the weights' and activations' dtype (float32 by default; bfloat16/float16 for a realistic GPU baseline).
    Logits are returned as float32 either way."""

    def __init__(self, d, device="cpu", dtype=torch.float32, tensors=None, cfg=None, attention="manual"):
        if tensors is None:
            cfg, tensors = load_checkpoint(d)
        self.cfg = cfg
        self.t = {k: v.to(device=device, dtype=dtype) for k, v in tensors.items()}
        self.type = self.cfg["model_type"]
        self.device = device
        self.dtype = dtype
        self.attend, self.attention = pick_attention(attention, device, dtype)
        self.refuse_unread(d or "model")

    @classmethod
    def random_gpt2(cls, device="cpu", dtype=torch.float32, seed=124, n_layer=12, n_embd=768, n_head=12, vocab=50257, n_positions=1024, attention="manual"):
        """A GPT-2-small-sized model with random weights, built in memory: for speed and energy only, not quality.
        Same shapes as the TS bench's random 124M model."""
        g = torch.Generator(device="cpu").manual_seed(seed)
        r = lambda *shape: (torch.rand(*shape, generator=g) - 0.5) * 0.04
        D = n_embd
        t = {"wte.weight": r(vocab, D), "wpe.weight": r(n_positions, D), "ln_f.weight": torch.ones(D), "ln_f.bias": torch.zeros(D)}
        for l in range(n_layer):
            p = f"h.{l}."
            t.update({
                p + "ln_1.weight": torch.ones(D), p + "ln_1.bias": torch.zeros(D), p + "ln_2.weight": torch.ones(D), p + "ln_2.bias": torch.zeros(D),
                p + "attn.c_attn.weight": r(D, 3 * D), p + "attn.c_attn.bias": torch.zeros(3 * D),
                p + "attn.c_proj.weight": r(D, D), p + "attn.c_proj.bias": torch.zeros(D),
                p + "mlp.c_fc.weight": r(D, 4 * D), p + "mlp.c_fc.bias": torch.zeros(4 * D),
                p + "mlp.c_proj.weight": r(4 * D, D), p + "mlp.c_proj.bias": torch.zeros(D),
            })
        cfg = {"model_type": "gpt2", "n_layer": n_layer, "n_embd": D, "n_head": n_head, "vocab_size": vocab, "n_positions": n_positions, "activation_function": "gelu_new"}
        return cls(None, device, dtype, tensors=t, cfg=cfg, attention=attention)

    def g(self, *names):
        for n in names:
            if n in self.t:
                return self.t[n]
        raise KeyError(f"missing tensor {names[0]}")

    BUFFERS = re.compile(r"(^|\.)attn\.(masked_)?bias$|\.rotary_emb\.inv_freq$")  # not parameters

    def refuse_unread(self, where):
        """A checkpoint tensor that no part of a forward reads is a part this model does not compute (a bias, a
        projection); scoring without it would be wrong, so refuse, naming it (as the TS loader does). One token's
        forward, with tensor lookups recorded for it alone, touches every weight."""
        used = set()

        def recording(*names):  # the same lookup as g, noting the name it finds
            found = next((n for n in names if n in self.t), None)
            if found is not None:
                used.add(found)
            return Model.g(self, *names)

        self.g = recording
        try:
            self.logits([0])
        finally:
            del self.g  # back to the plain lookup: forwards record nothing
        tied = self.cfg.get("tie_word_embeddings", self.type != "llama")
        unread = sorted(n for n in self.t if n not in used and not self.BUFFERS.search(n) and not (tied and n == "lm_head.weight"))
        if unread:
            more = f" and {len(unread) - 5} more" if len(unread) > 5 else ""
            raise ValueError(f"{where}: holds {len(unread)} tensor(s) the {self.type} forward does not use: {', '.join(unread[:5])}{more}")

    @torch.no_grad()
    def logits(self, ids, cache=None):
        """ids: list[int] -> logits [T, vocab]; or a LongTensor [B, T] (a batch of equal-length windows) ->
        [B, T, vocab]. Float32 whatever the model's dtype. With a KvCache the ids follow the cached positions and
        are appended to it."""
        single = not torch.is_tensor(ids)
        x = torch.tensor([ids], dtype=torch.long, device=self.device) if single else ids.to(self.device)
        kv = cache if cache is not None else KvCache()
        out = {"gpt2": self._gpt2, "opt": self._opt, "llama": self._llama}[self.type](x, kv).float()
        kv.length += x.shape[1]
        return out[0] if single else out

    def _gpt2(self, ids, kv):
        c, g = self.cfg, self.g
        P = lambda n: g(n, "transformer." + n)
        D, H = c["n_embd"], c["n_head"]
        eps = c.get("layer_norm_epsilon", 1e-5)
        act = ACT[c.get("activation_function", "gelu_new")]
        B, T = ids.shape
        p0 = kv.length
        x = P("wte.weight")[ids] + P("wpe.weight")[p0 : p0 + T]
        for l in range(c["n_layer"]):
            p = f"h.{l}."
            h = layer_norm(x, P(p + "ln_1.weight"), P(p + "ln_1.bias"), eps)
            qkv = h @ P(p + "attn.c_attn.weight") + P(p + "attn.c_attn.bias")
            q, k, v = qkv.split(D, -1)
            sh = lambda z: z.view(B, T, H, D // H).transpose(1, 2)
            k, v = kv.append(l, sh(k), sh(v))
            a = self.attend(sh(q), k, v).transpose(1, 2).reshape(B, T, D)
            x = x + a @ P(p + "attn.c_proj.weight") + P(p + "attn.c_proj.bias")
            h = layer_norm(x, P(p + "ln_2.weight"), P(p + "ln_2.bias"), eps)
            h = act(h @ P(p + "mlp.c_fc.weight") + P(p + "mlp.c_fc.bias"))
            x = x + h @ P(p + "mlp.c_proj.weight") + P(p + "mlp.c_proj.bias")
        x = layer_norm(x, P("ln_f.weight"), P("ln_f.bias"), eps)
        head = g("lm_head.weight") if not c.get("tie_word_embeddings", True) and "lm_head.weight" in self.t else P("wte.weight")
        return x @ head.T

    def _opt(self, ids, kv):
        c, g = self.cfg, self.g
        P = lambda n: g("model.decoder." + n, "decoder." + n)
        D, H = c["hidden_size"], c["num_attention_heads"]
        act = ACT[c.get("activation_function", "relu")]
        B, T = ids.shape
        lin = lambda z, n: z @ P(n + ".weight").T + P(n + ".bias")
        p0 = kv.length
        x = P("embed_tokens.weight")[ids] + P("embed_positions.weight")[p0 + 2 : p0 + T + 2]
        for l in range(c["num_hidden_layers"]):
            p = f"layers.{l}."
            h = layer_norm(x, P(p + "self_attn_layer_norm.weight"), P(p + "self_attn_layer_norm.bias"), 1e-5)
            sh = lambda z: z.view(B, T, H, D // H).transpose(1, 2)
            k, v = kv.append(l, sh(lin(h, p + "self_attn.k_proj")), sh(lin(h, p + "self_attn.v_proj")))
            a = self.attend(sh(lin(h, p + "self_attn.q_proj")), k, v)
            x = x + lin(a.transpose(1, 2).reshape(B, T, D), p + "self_attn.out_proj")
            h = layer_norm(x, P(p + "final_layer_norm.weight"), P(p + "final_layer_norm.bias"), 1e-5)
            x = x + lin(act(lin(h, p + "fc1")), p + "fc2")
        x = layer_norm(x, P("final_layer_norm.weight"), P("final_layer_norm.bias"), 1e-5)
        return x @ P("embed_tokens.weight").T

    def _llama(self, ids, kv):
        c, g = self.cfg, self.g
        P = lambda n: g("model." + n, n)
        D, H = c["hidden_size"], c["num_attention_heads"]
        KV = c.get("num_key_value_heads", H)
        hd = D // H
        eps = c.get("rms_norm_eps", 1e-6)
        theta = c.get("rope_theta", 10000.0)
        B, T = ids.shape
        inv = rope_inv_freq(hd, theta, c.get("rope_scaling"), self.device)
        ang = torch.outer(torch.arange(kv.length, kv.length + T, dtype=torch.float32, device=self.device), inv)
        cos = torch.cat([ang.cos(), ang.cos()], -1).to(self.dtype)
        sin = torch.cat([ang.sin(), ang.sin()], -1).to(self.dtype)

        def rot(z):  # HF rotate_half convention
            z1, z2 = z[..., : hd // 2], z[..., hd // 2 :]
            return z * cos + torch.cat([-z2, z1], -1) * sin

        x = P("embed_tokens.weight")[ids]
        for l in range(c["num_hidden_layers"]):
            p = f"layers.{l}."
            h = rms_norm(x, P(p + "input_layernorm.weight"), eps)
            q = (h @ P(p + "self_attn.q_proj.weight").T).view(B, T, H, hd).transpose(1, 2)
            k = (h @ P(p + "self_attn.k_proj.weight").T).view(B, T, KV, hd).transpose(1, 2)
            v = (h @ P(p + "self_attn.v_proj.weight").T).view(B, T, KV, hd).transpose(1, 2)
            q, k = rot(q), rot(k)
            k, v = kv.append(l, k, v)  # cached with KV heads; expanded to H heads for the product
            k = k.repeat_interleave(H // KV, 1)
            v = v.repeat_interleave(H // KV, 1)
            a = self.attend(q, k, v).transpose(1, 2).reshape(B, T, D)
            x = x + a @ P(p + "self_attn.o_proj.weight").T
            h = rms_norm(x, P(p + "post_attention_layernorm.weight"), eps)
            x = x + (torch.nn.functional.silu(h @ P(p + "mlp.gate_proj.weight").T) * (h @ P(p + "mlp.up_proj.weight").T)) @ P(p + "mlp.down_proj.weight").T
        x = rms_norm(x, P("norm.weight"), eps)
        head = P("embed_tokens.weight") if c.get("tie_word_embeddings", False) else g("lm_head.weight")
        return x @ head.T


def strided_nll(model, ids, ctx, stride, batch=1):
    """Sum of -log p over ids[1:], each token scored once with up to ctx-1 tokens of context (the TS protocol).
    Windows of equal length are run `batch` at a time; the result does not depend on the batch size beyond float
    rounding. No host sync inside the loop (the mask is applied by torch.where, not boolean indexing, which would sync
to size its output), so GPU timing measures the model, not Python; the one sync is float(total) at the end.
Logits are taken to float32 before log_softmax, so a bfloat16/float16 model is scored in float32."""
    ws = strided_windows(len(ids), ctx, stride)
    dev = model.device
    all_ids = torch.tensor(ids, dtype=torch.long, device=dev)
    total = torch.zeros((), dtype=torch.float64, device=dev)
    n, i = 0, 0
    while i < len(ws):
        size = ws[i][1] - ws[i][0]
        j = i + 1
        while j < len(ws) and j - i < batch and ws[j][1] - ws[j][0] == size:
            j += 1
        group = ws[i:j]
        x = torch.stack([all_ids[b:e] for b, e, _ in group])  # [G, size]
        logp = model.logits(x).float().log_softmax(-1)[:, :-1]  # predictions for positions 1..size-1
        picked = logp.gather(-1, x[:, 1:].unsqueeze(-1)).squeeze(-1)  # [G, size-1]
        first = torch.tensor([f for _, _, f in group], device=dev)
        keep = torch.arange(size - 1, device=dev)[None, :] >= first[:, None]
        total -= torch.where(keep, picked.double(), 0.0).sum()
        n += sum(size - 1 - f for _, _, f in group)
        i = j
    return float(total), n


@torch.no_grad()
def greedy(model, prompts, n_new, cache=None):
    """Greedy decoding with a KV cache: prompts LongTensor [B, P] -> new ids [B, n_new]."""
    kv = cache if cache is not None else KvCache()
    nxt = model.logits(prompts, kv)[:, -1].argmax(-1, keepdim=True)
    out = [nxt]
    for _ in range(n_new - 1):
        nxt = model.logits(nxt, kv)[:, -1].argmax(-1, keepdim=True)
        out.append(nxt)
    return torch.cat(out, 1)
