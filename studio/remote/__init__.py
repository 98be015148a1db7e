"""Remote GPU inference: the wire schema, the RunPod worker, the async client and the
`remote:*` backends. Importing this package imports nothing heavy (no runpod, no httpx)."""
