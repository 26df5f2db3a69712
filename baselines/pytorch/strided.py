"""The strided-perplexity window plan of the TS protocol (src/lm/metrics/perplexity.ts), without torch, so a test
can compare the two plans on a machine that has no torch.

Every token after the first is scored exactly once, with up to ctx-1 tokens of left context. A window of ctx
tokens has ctx-1 targets, so the stride must be below the context: with stride = ctx the first token of every
later window would never be scored; stride = ctx-1 gives non-overlapping windows."""


def stride_problem(ctx, stride):
    """Why `stride` cannot be used with `ctx`, or None when it can (the same wording as the TS check)."""
    if not isinstance(ctx, int) or ctx < 2:
        return f"the context must be an integer >= 2, got {ctx}"
    if not isinstance(stride, int) or stride < 1:
        return f"the stride must be an integer >= 1, got {stride}"
    if stride >= ctx:
        return (f"the stride ({stride}) must be less than the context ({ctx}): a window of {ctx} tokens has {ctx - 1} targets, "
                f"so the first token of each later window would never be scored; stride {ctx - 1} gives non-overlapping windows")
    return None


def strided_windows(n, ctx, stride):
    """(begin, end, first) of each window over n ids; `first` is the first position of the window whose
    next-token target is new (0 in the first window). Raises ValueError for a stride the protocol refuses."""
    bad = stride_problem(ctx, stride)
    if bad:
        raise ValueError(bad)
    out, begin = [], 0
    while begin + 1 < n:
        end = min(begin + ctx, n)
        # the previous window's last target was begin - stride + ctx - 1: skip up to it
        out.append((begin, end, 0 if begin == 0 else ctx - stride - 1))
        if end == n:
            break
        begin += stride
    return out
