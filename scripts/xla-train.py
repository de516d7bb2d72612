#!/usr/bin/env python3
"""Runs denoc's training step on XLA through JAX, data parallel over D devices.

The run directory (written by api/train-xla.ts `writeXlaTrainingRun`) holds step.mlir (the step as
StableHLO, with Shardy annotations when D > 1: batch inputs split over a 1-D mesh "data", the rest
replicated), state.safetensors (initial w:/m:/v:/ema: inputs), batch_<input>.npy (each batch input of
every step, stacked) and run.json. This script compiles the module for D devices with SPMD partitioning
(XLA splits the batch, runs the pieces in parallel and all-reduces the loss and the gradients), keeps the
state on the devices, runs every step, and writes result.json: the loss of each step, the devices used,
the all-reduces in the compiled program, each batch input's per-device shape, how far the devices'
copies of the replicated state differ, compile time and steps per second; and trained.safetensors, the
state after the last step by input name (w:…, m:…, v:…, ema:…).

On one CPU, simulate D devices with XLA_FLAGS=--xla_force_host_platform_device_count=D. On a GPU node
or a TPU slice the same directory runs with --platform gpu|tpu, the mesh spanning the local devices.

With --serve it runs one step per request instead (the state and batch sent each time), so that
`denoc`'s trainer (checkpoints, evaluation) drives XLA like any other engine: see serve().

Usage: python3 scripts/xla-train.py DIR [--platform cpu|gpu|tpu] [--json FILE] [--serve]
Needs numpy and jax (tested with jax/jaxlib 0.10.2, the version .ci/run installs).
"""
import argparse
import importlib.util
import json
import os
import re
import struct
import sys
import time

import numpy as np


def xla_check():
    """scripts/xla-check.py as a module (its safetensors reader and backend lookup)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "xla-check.py")
    spec = importlib.util.spec_from_file_location("xla_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_run(directory):
    with open(os.path.join(directory, "run.json")) as f:
        run = json.load(f)
    if run.get("format") != "denoc-xla-train/1":
        raise SystemExit(f"{directory}: not a denoc XLA training run (format {run.get('format')!r})")
    with open(os.path.join(directory, "step.mlir")) as f:
        text = f.read()
    batches = {name: np.load(os.path.join(directory, f"batch_{name}.npy")) for name in run["batchInputs"]}
    return run, text, batches


def write_safetensors(path, arrays):
    """Writes float32 arrays by name as safetensors (header padded to 8 bytes, as the format asks)."""
    header, offset, blobs = {}, 0, []
    for name, arr in arrays.items():
        data = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def compile_step(check, backend, devices, text):
    """The module compiled for len(devices) partitions (SPMD when more than one)."""
    from jax._src import compiler
    from jax._src.interpreters import mlir as jmlir
    from jax._src.lib import xla_client as xc
    ctx, module = check.parse_module(text)
    with ctx:
        bytecode = jmlir.module_to_bytecode(module)
    assignment = np.array([[d.id for d in devices]])
    options = compiler.get_compile_options(num_replicas=1, num_partitions=len(devices), device_assignment=assignment)
    return backend.compile_and_load(bytecode, xc.DeviceList(tuple(devices)), options)


def all_reduces(executable):
    """(all-reduce instructions, values they reduce) in the partitioned program; XLA combines many into one."""
    text = "\n".join(m.to_string() for m in executable.hlo_modules())
    calls = re.findall(r"^\s*%\S+ = .* all-reduce(?:-start)?\(([^)]*)\)", text, re.MULTILINE)
    return len(calls), sum(len(c.split(",")) for c in calls)


def parameter_shardings(executable, inputs):
    """Each argument's sharding in the compiled program, as XLA prints it ("{replicated}", "{devices=[4,1]<=[4]}")."""
    from jax._src.lib import xla_client as xc
    protos = executable.get_parameter_shardings()
    if protos is None:  # one device: nothing partitioned
        return {t["name"]: "{replicated}" for t in inputs}
    return {t["name"]: str(xc.HloSharding.from_proto(p)) for t, p in zip(inputs, protos)}


def prepare(run, text, platform):
    """(executable, its argument names, replicated and batch-split shardings, compile seconds, check module)."""
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    check = xla_check()
    backend = check.get_backend(platform)
    available = backend.local_devices()
    d = run["devices"]
    if len(available) < d:
        raise SystemExit(f"the run is partitioned for {d} devices but {backend.platform} has {len(available)}; "
                         f"on a CPU set XLA_FLAGS=--xla_force_host_platform_device_count={d}")
    if run["manifest"]["weights"]:
        raise SystemExit("step.mlir reads weights outside its arguments; a training step takes them as inputs")
    devices = available[:d]
    mesh = Mesh(np.array(devices), ("data",))
    t0 = time.perf_counter()
    executable = compile_step(check, backend, devices, text)
    names = [t["name"] for t in run["manifest"]["inputs"]]
    return executable, names, NamedSharding(mesh, P()), NamedSharding(mesh, P("data")), time.perf_counter() - t0, check


def train(run, text, batches, state, platform):
    import jax
    executable, names, replicated, split, compile_s, check = prepare(run, text, platform)
    inputs = run["manifest"]["inputs"]
    live = {name: jax.device_put(state[name], replicated) for name in run["state"]}
    # the input pipeline's prefetch: every step's batch placed (split over the mesh) before timing
    placed = [{name: jax.device_put(batches[name][k], split) for name in run["batchInputs"]} for k in range(run["steps"])]
    shard_shapes = {name: list(a.addressable_shards[0].data.shape) for name, a in placed[0].items()}
    losses, times = [], []
    for k in range(run["steps"]):
        t = time.perf_counter()
        feed = {**live, **placed[k], "step": jax.device_put(np.float32(k + 1), replicated)}
        results = executable.execute_sharded([feed[name] for name in names])
        outs = results.disassemble_into_single_device_arrays()
        for name, pieces in zip(run["state"], outs):
            live[name] = jax.make_array_from_single_device_arrays(pieces[0].shape, replicated, pieces)
        losses.append(float(np.asarray(outs[-1][0])))
        times.append(time.perf_counter() - t)
    instructions, values = all_reduces(executable)
    shardings = parameter_shardings(executable, inputs)
    spread = max(float(np.max(np.abs(np.asarray(p) - np.asarray(pieces[0])))) for pieces in outs for p in pieces)
    step_s = sorted(times[1:] or times)[len(times[1:] or times) // 2]
    final = {name: np.asarray(a.addressable_shards[0].data) for name, a in live.items()}
    return final, {
        **check.versions(),
        "platform": executable.local_devices()[0].platform,
        "devices": len(executable.local_devices()),
        "allReduces": instructions,
        "allReducedValues": values,
        "shardShapes": shard_shapes,
        "batchShardings": {name: shardings[name] for name in run["batchInputs"]},
        "replicatedInputs": sum(1 for v in shardings.values() if v == "{replicated}"),
        "replicaSpread": spread,
        "compileSeconds": compile_s,
        "stepsPerSecond": 1.0 / step_s,
        "losses": losses,
    }


def read_exactly(stream, n):
    data = stream.read(n)
    return data if len(data) == n else None


def serve(run, text, platform):
    """One step per request, for a StepRunner (`xlaStepRunner` in api/xla-step-runner.ts). A request on
    stdin is a little-endian u64 header length, a JSON header {"inputs": [[name, dtype, bytes], ...]} and
    the raw arrays; the answer on stdout is the same framing with {"outputs": [[shape, bytes], ...]} (f32)
    or {"error": message}. The process ends when stdin closes."""
    import jax
    executable, names, replicated, split, compile_s, _ = prepare(run, text, platform)
    print(f"xla-train: compiled for {run['devices']} devices in {compile_s:.1f} s", file=sys.stderr)
    shapes = {t["name"]: t["shape"] for t in run["manifest"]["inputs"]}
    batch = set(run["batchInputs"])
    types = {"f32": "<f4", "i32": "<i4"}
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer

    def answer(header, blobs=()):
        text = json.dumps(header).encode("utf-8")
        stdout.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
        stdout.flush()

    while (size := read_exactly(stdin, 8)) is not None:
        header = json.loads(read_exactly(stdin, struct.unpack("<Q", size)[0]))
        arrays = {}
        for name, dtype, nbytes in header["inputs"]:
            arrays[name] = np.frombuffer(read_exactly(stdin, nbytes), dtype=types[dtype]).reshape(shapes[name])
        missing = [n for n in names if n not in arrays]
        if missing:
            answer({"error": f"the step needs inputs {', '.join(missing)}"})
            continue
        feed = [jax.device_put(arrays[n], split if n in batch else replicated) for n in names]
        outs = executable.execute_sharded(feed).disassemble_into_single_device_arrays()
        values = [np.ascontiguousarray(np.asarray(pieces[0]), dtype="<f4") for pieces in outs]
        answer({"outputs": [[list(v.shape), v.nbytes] for v in values]}, [v.tobytes() for v in values])
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", help="run directory (step.mlir, run.json, state.safetensors, batch_*.npy)")
    parser.add_argument("--platform", default=None, help="cpu, gpu, tpu, ... (default: JAX's default backend)")
    parser.add_argument("--json", default=None, help="where to write the result (default: DIR/result.json)")
    parser.add_argument("--serve", action="store_true", help="run one step per request on stdin (see serve())")
    opts = parser.parse_args(argv)
    if opts.serve:
        with open(os.path.join(opts.dir, "run.json")) as f:
            run = json.load(f)
        with open(os.path.join(opts.dir, "step.mlir")) as f:
            return serve(run, f.read(), opts.platform)
    run, text, batches = load_run(opts.dir)
    state = xla_check().read_safetensors(os.path.join(opts.dir, "state.safetensors"))
    final, record = train(run, text, batches, state, opts.platform)
    write_safetensors(os.path.join(opts.dir, "trained.safetensors"), final)
    print(f"{run['model']}: {run['steps']} steps, batch {run['batch']} over {record['devices']} {record['platform']} devices, "
          f"{record['allReduces']} all-reduces of {record['allReducedValues']} values, {record['stepsPerSecond']:.1f} steps/s "
          f"(compile {record['compileSeconds']:.1f} s); loss {record['losses'][0]:.5f} -> {record['losses'][-1]:.5f}")
    with open(opts.json or os.path.join(opts.dir, "result.json"), "w") as f:
        json.dump(record, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
