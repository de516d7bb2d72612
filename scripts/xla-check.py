#!/usr/bin/env python3
"""Runs a denoc StableHLO artifact with JAX/XLA and compares it with denoc's reference output.

The artifact directory (written by `denoc compile --target stablehlo` / writeStableHLOArtifacts) holds
sampler.mlir, weights.safetensors, manifest.json, input_<name>.npy and reference_<i>.npy. This script
parses the module with jaxlib's MLIR bindings, compiles it with the PJRT client of the chosen backend,
runs it on the inputs and weights in the order the manifest lists, and checks

    max |xla - reference| <= atol + rtol * max |reference|      (tolerance from the manifest)

How a module text is compiled differs between jaxlib versions, so several known ways are tried in turn
and each failure is reported if none works. Needs numpy and jax (jaxlib); ml_dtypes (a jax dependency)
for bf16 arguments. `--check-only` validates the directory with numpy alone, without JAX.

Usage: python3 scripts/xla-check.py DIR [--platform cpu|gpu|tpu] [--repeat N] [--json FILE] [--check-only]
With --json the result (versions, device, compile method and time, run time, per-output errors) is also
written to FILE, for scripts/xla-matrix.ts.
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np

# Stored dtype -> little-endian numpy type it is read as (BF16 is widened by hand below).
SAFETENSORS_DTYPES = {"F32": "<f4", "F16": "<f2", "BF16": "<u2", "I32": "<i4"}


def bf16_dtype():
    try:
        import ml_dtypes
        return ml_dtypes.bfloat16
    except ImportError:
        import jax.numpy as jnp
        return jnp.bfloat16


def numpy_dtype(name):
    table = {"f32": np.float32, "f16": np.float16, "i32": np.int32, "u32": np.uint32, "bool": np.bool_}
    if name == "bf16":
        return bf16_dtype()
    if name not in table:
        raise SystemExit(f"manifest names unknown dtype {name!r}")
    return table[name]


def read_safetensors(path):
    """Reads a safetensors file into float32/int32 numpy arrays (no safetensors package needed)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = entry["dtype"]
        if dtype not in SAFETENSORS_DTYPES:
            raise SystemExit(f"{path}: tensor {name} has unsupported dtype {dtype}")
        begin, end = entry["data_offsets"]
        raw = blob[base + begin:base + end]
        arr = np.frombuffer(raw, dtype=SAFETENSORS_DTYPES[dtype])
        if dtype == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        arr = arr.astype(np.int32 if dtype == "I32" else np.float32)
        out[name] = arr.reshape(entry["shape"])
    return out


def load_artifact(directory, cast=True):
    """Returns (module text, manifest, argument arrays in @main order, reference arrays).

    With cast=False the arguments keep their stored dtype (no ml_dtypes needed for bf16)."""
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("format") != "denoc-stablehlo/1":
        raise SystemExit(f"{directory}: not a denoc StableHLO artifact (format {manifest.get('format')!r})")
    files = manifest["files"]
    with open(os.path.join(directory, files["module"])) as f:
        text = f.read()
    weights = read_safetensors(os.path.join(directory, files["weights"]))
    args = [None] * (len(manifest["inputs"]) + len(manifest["weights"]))
    for t in manifest["inputs"]:
        arr = np.load(os.path.join(directory, files["inputs"][t["name"]]))
        args[t["arg"]] = check_shape(arr, t, "input")
    for t in manifest["weights"]:
        if t["name"] not in weights:
            raise SystemExit(f"weights.safetensors has no tensor {t['name']!r}")
        args[t["arg"]] = check_shape(weights[t["name"]], t, "weight")
    if cast:
        order = sorted(manifest["inputs"] + manifest["weights"], key=lambda t: t["arg"])
        args = [a.astype(numpy_dtype(t["dtype"])) for a, t in zip(args, order)]
    refs = [np.load(os.path.join(directory, name)) for name in files["reference"]]
    for i, (r, o) in enumerate(zip(refs, manifest["outputs"])):
        if list(r.shape) != list(o["shape"]):
            raise SystemExit(f"reference_{i} has shape {list(r.shape)} but the manifest says {o['shape']}")
    return text, manifest, args, refs


def check_shape(arr, t, what):
    if list(arr.shape) != list(t["shape"]):
        raise SystemExit(f"{what} {t['name']!r} has shape {list(arr.shape)} but the manifest says {t['shape']}")
    return arr


def get_backend(platform):
    """The PJRT client for `platform` (None: JAX's default), across jax versions."""
    errors = []
    for getter in ("jax.extend.backend", "jax._src.xla_bridge", "jax.lib.xla_bridge"):
        try:
            module = __import__(getter, fromlist=["get_backend"])
            return module.get_backend(platform) if platform else module.get_backend()
        except Exception as e:  # noqa: BLE001 - try the next way
            errors.append(f"{getter}.get_backend: {type(e).__name__}: {e}")
    raise SystemExit("cannot get a JAX backend:\n  " + "\n  ".join(errors))


def parse_module(text):
    """Parses the text with jaxlib's MLIR (StableHLO dialect registered); returns (context, module)."""
    from jax._src.interpreters import mlir as jmlir
    from jax._src.lib.mlir import ir
    ctx = jmlir.make_ir_context()
    with ctx, ir.Location.unknown(ctx):
        module = ir.Module.parse(text)
    return ctx, module


def compile_attempts(backend, device, text):
    """Yields (name, thunk) for every known way to compile module text into a loaded executable."""
    from jax._src.lib import xla_client as xc

    def bytecode():
        from jax._src.interpreters import mlir as jmlir
        ctx, module = parse_module(text)
        with ctx:
            return jmlir.module_to_bytecode(module)

    def device_list():
        return xc.DeviceList((device,))

    yield "compile_and_load(bytecode)", lambda: backend.compile_and_load(bytecode(), device_list(), xc.CompileOptions())
    yield "compile_and_load(text)", lambda: backend.compile_and_load(text, device_list(), xc.CompileOptions())
    yield "compile(bytecode, compile_options)", lambda: backend.compile(bytecode(), compile_options=xc.CompileOptions())
    yield "compile(text)", lambda: backend.compile(text)

    def via_xla_computation():
        computation = xc._xla.mlir.mlir_module_to_xla_computation(text, use_tuple_args=False, return_tuple=False)
        return backend.compile(computation)
    yield "mlir_module_to_xla_computation + compile", via_xla_computation


def execute(executable, args, device):
    """Runs a loaded executable on one device; returns numpy outputs. Tries each execute API."""
    import jax
    buffers = [jax.device_put(a, device) for a in args]
    errors = []
    if hasattr(executable, "execute_sharded"):
        try:
            results = executable.execute_sharded(buffers)
            return [np.asarray(per_device[0]) for per_device in results.disassemble_into_single_device_arrays()]
        except Exception as e:  # noqa: BLE001
            errors.append(f"execute_sharded: {type(e).__name__}: {e}")
    if hasattr(executable, "execute"):
        try:
            return [np.asarray(o) for o in executable.execute(buffers)]
        except Exception as e:  # noqa: BLE001
            errors.append(f"execute: {type(e).__name__}: {e}")
    if hasattr(executable, "execute_sharded_on_local_devices"):
        try:
            return [np.asarray(o[0]) for o in executable.execute_sharded_on_local_devices([[b] for b in buffers])]
        except Exception as e:  # noqa: BLE001
            errors.append(f"execute_sharded_on_local_devices: {type(e).__name__}: {e}")
    raise RuntimeError("no execute API worked: " + "; ".join(errors))


def versions():
    import jax
    import jaxlib
    return {"jax": jax.__version__, "jaxlib": getattr(jaxlib, "__version__", "?")}


def compile_and_run(text, args, platform, repeat):
    """Returns (outputs, record): the outputs of one run and what was run where, how, how fast."""
    backend = get_backend(platform)
    device = backend.local_devices()[0]
    record = {**versions(), "platform": backend.platform, "device": getattr(device, "device_kind", str(device))}
    print(f"backend: {backend.platform} ({record['device']}), jax {record['jax']}, jaxlib {record['jaxlib']}")
    try:
        parse_module(text)
    except Exception as e:  # noqa: BLE001 - report the MLIR diagnostic as is
        raise SystemExit(f"jaxlib could not parse sampler.mlir:\n{e}")
    errors = []
    for name, thunk in compile_attempts(backend, device, text):
        try:
            t0 = time.perf_counter()
            executable = thunk()
            compile_s = time.perf_counter() - t0
            outputs = execute(executable, args, device)
        except Exception as e:  # noqa: BLE001 - try the next way
            errors.append(f"{name}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
            continue
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            execute(executable, args, device)
            times.append(time.perf_counter() - t0)
        run_ms = 1e3 * sorted(times)[len(times) // 2] if times else None
        print(f"compiled with {name} in {compile_s:.2f} s")
        if times:
            print(f"run: median {run_ms:.2f} ms over {repeat} runs")
        return outputs, {**record, "compile_method": name, "compile_s": compile_s, "run_ms": run_ms}
    raise SystemExit("no way of compiling worked with this jaxlib:\n  " + "\n  ".join(errors))


def compare(outputs, refs, tolerance):
    """Prints and returns one record per output: max error, max |ref|, allowed bound, ok."""
    records = []
    for i, (out, ref) in enumerate(zip(outputs, refs)):
        out = np.asarray(out, dtype=np.float64)
        ref = np.asarray(ref, dtype=np.float64)
        if out.shape != ref.shape:
            print(f"output {i}: shape {out.shape} but reference has {ref.shape}")
            records.append({"output": i, "ok": False, "error": f"shape {out.shape} != {ref.shape}"})
            continue
        err = float(np.max(np.abs(out - ref))) if ref.size else 0.0
        max_ref = float(np.max(np.abs(ref))) if ref.size else 0.0
        bound = tolerance["atol"] + tolerance["rtol"] * max_ref
        status = "ok" if err <= bound else "MISMATCH"
        print(f"output {i} {list(ref.shape)}: max |xla - ref| = {err:.3e} (allowed {bound:.3e}), "
              f"mean |ref| = {float(np.mean(np.abs(ref))):.3e}  {status}")
        records.append({"output": i, "max_err": err, "max_ref": max_ref, "allowed": bound, "ok": err <= bound})
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", help="artifact directory (sampler.mlir, manifest.json, ...)")
    parser.add_argument("--platform", default=None, help="cpu, gpu, tpu, ... (default: JAX's default backend)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the first")
    parser.add_argument("--json", default=None, help="also write the result as JSON to this file")
    parser.add_argument("--check-only", action="store_true", help="validate the directory with numpy only")
    opts = parser.parse_args(argv)
    text, manifest, args, refs = load_artifact(opts.dir, cast=not opts.check_only)
    print(f"{manifest['graph']}: {len(manifest['inputs'])} inputs, {len(manifest['weights'])} weights, "
          f"precision {manifest['options']['precision']}, tile {manifest['options']['tile']}")
    if opts.check_only:
        print("artifact ok: manifest, inputs, weights and references agree")
        return 0
    outputs, record = compile_and_run(text, args, opts.platform, opts.repeat)
    if len(outputs) != len(refs):
        print(f"module returned {len(outputs)} outputs, reference has {len(refs)}")
        return 1
    record["outputs"] = compare(outputs, refs, manifest["tolerance"])
    record["ok"] = all(o["ok"] for o in record["outputs"])
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(record, f, indent=2)
    return 0 if record["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
