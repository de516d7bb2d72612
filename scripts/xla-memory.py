"""
XLA's memory statistics of StableHLO modules: for each module text file given, compiles it on the CPU
backend (the ways scripts/xla-check.py knows) and prints one JSON line with the compiled executable's
temp (scratch), argument, output and alias bytes. Used by bench/remat.bench.ts for the second peak-memory
measurement of gradient checkpointing. Usage: python scripts/xla-memory.py MODULE.mlir...
"""
import importlib.util
import json
import os
import sys

spec = importlib.util.spec_from_file_location("xla_check", os.path.join(os.path.dirname(__file__), "xla-check.py"))
xla_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(xla_check)


def memory_of(path, backend, device):
    with open(path) as f:
        text = f.read()
    errors = []
    for name, thunk in xla_check.compile_attempts(backend, device, text):
        try:
            stats = thunk().get_compiled_memory_stats()
        except Exception as e:  # noqa: BLE001 - each jaxlib version accepts a different way
            errors.append(f"{name}: {e}")
            continue
        return {
            "file": path,
            "temp_bytes": stats.temp_size_in_bytes,
            "argument_bytes": stats.argument_size_in_bytes,
            "output_bytes": stats.output_size_in_bytes,
            "alias_bytes": stats.alias_size_in_bytes,
        }
    raise RuntimeError("; ".join(errors))


def main():
    backend = xla_check.get_backend("cpu")
    device = backend.local_devices()[0]
    for path in sys.argv[1:]:
        print(json.dumps(memory_of(path, backend, device)), flush=True)


if __name__ == "__main__":
    main()
